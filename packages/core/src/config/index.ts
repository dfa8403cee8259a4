/** Config codecs: brands and readable decode errors (being written). */
export {}
