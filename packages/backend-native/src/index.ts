/** @jepa-ts/backend-native */
export {}
