// Argument helpers for the Node-API entry points: typed-array views (honouring byteOffset, since
// tfjs hands kernels subarray views) and small integer vectors (shapes, axes, strides).
// A malformed argument throws a JS TypeError naming the argument; the kernels themselves trust
// the shapes the TypeScript side computed.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace jnat {

struct ArgError {
  std::string message;
};

template <typename T>
inline T* typedPtr(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type want, const char* what, size_t* len = nullptr) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray()) throw ArgError{std::string("argument ") + std::to_string(i) + " (" + what + ") must be a typed array"};
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != want) throw ArgError{std::string("argument ") + std::to_string(i) + " (" + what + ") has the wrong element type"};
  if (len != nullptr) *len = ta.ElementLength();
  uint8_t* base = static_cast<uint8_t*>(ta.ArrayBuffer().Data());
  return reinterpret_cast<T*>(base + ta.ByteOffset());
}

inline float* f32(const Napi::CallbackInfo& info, size_t i, const char* what, size_t* len = nullptr) {
  return typedPtr<float>(info, i, napi_float32_array, what, len);
}

inline int32_t* i32(const Napi::CallbackInfo& info, size_t i, const char* what, size_t* len = nullptr) {
  return typedPtr<int32_t>(info, i, napi_int32_array, what, len);
}

inline int64_t integer(const Napi::CallbackInfo& info, size_t i, const char* what) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) throw ArgError{std::string("argument ") + std::to_string(i) + " (" + what + ") must be a number"};
  return v.As<Napi::Number>().Int64Value();
}

inline double number(const Napi::CallbackInfo& info, size_t i, const char* what) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) throw ArgError{std::string("argument ") + std::to_string(i) + " (" + what + ") must be a number"};
  return v.As<Napi::Number>().DoubleValue();
}

inline std::vector<int64_t> ints(const Napi::CallbackInfo& info, size_t i, const char* what) {
  Napi::Value v = info[i];
  if (!v.IsArray()) throw ArgError{std::string("argument ") + std::to_string(i) + " (" + what + ") must be an array"};
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) out[k] = a.Get(k).As<Napi::Number>().Int64Value();
  return out;
}

// Wraps an entry point body so ArgError becomes a JS TypeError.
template <typename F>
inline Napi::Value guarded(const Napi::CallbackInfo& info, F body) {
  try {
    body();
  } catch (const ArgError& e) {
    Napi::TypeError::New(info.Env(), e.message).ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

}  // namespace jnat
