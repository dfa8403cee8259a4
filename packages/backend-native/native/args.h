// Argument helpers for the Node-API entry points: typed-array views (honouring byteOffset, since
// tfjs hands kernels subarray views) and small integer vectors (shapes, axes, strides).
// Nothing JS hands an entry point is trusted: a malformed argument (not a typed array, the wrong
// element type, a number that is not a finite integer, a negative size, a size above kMaxDim)
// throws ArgError, and `guarded` turns it — and every other C++ exception, std::bad_alloc
// included — into a JS exception, so no argument can terminate the process. The kernels trust
// only what the entry points have checked.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <new>
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

// Sizes, counts and indices read from JS lie in [0, kMaxDim]: far above any real tensor (2^40
// elements), small enough that the product of two never overflows int64.
constexpr int64_t kMaxDim = int64_t(1) << 40;

inline std::string argName(size_t i, const char* what) {
  return std::string("argument ") + std::to_string(i) + " (" + what + ")";
}

// A finite integral double in [lo, hi], else ArgError naming the argument.
inline int64_t checkedInt(double d, int64_t lo, int64_t hi, const std::string& name) {
  if (!std::isfinite(d) || d != std::floor(d)) throw ArgError{name + " must be a finite integer, got " + std::to_string(d)};
  if (d < (double)lo || d > (double)hi)
    throw ArgError{name + " must lie in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(d)};
  return (int64_t)d;
}

// An integer in [lo, hi] (by default a size: [0, kMaxDim]).
inline int64_t integer(const Napi::CallbackInfo& info, size_t i, const char* what, int64_t lo = 0, int64_t hi = kMaxDim) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) throw ArgError{argName(i, what) + " must be a number"};
  return checkedInt(v.As<Napi::Number>().DoubleValue(), lo, hi, argName(i, what));
}

inline double number(const Napi::CallbackInfo& info, size_t i, const char* what) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) throw ArgError{argName(i, what) + " must be a number"};
  return v.As<Napi::Number>().DoubleValue();
}

// An array of at most 64 sizes, each an integer in [0, kMaxDim] (every shape, stride, permutation,
// begin and size the entry points read is non-negative).
inline std::vector<int64_t> ints(const Napi::CallbackInfo& info, size_t i, const char* what) {
  Napi::Value v = info[i];
  if (!v.IsArray()) throw ArgError{argName(i, what) + " must be an array"};
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > 64) throw ArgError{argName(i, what) + " has more than 64 entries"};
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value e = a.Get(k);
    const std::string name = argName(i, what) + "[" + std::to_string(k) + "]";
    if (!e.IsNumber()) throw ArgError{name + " must be a number"};
    out[k] = checkedInt(e.As<Napi::Number>().DoubleValue(), 0, kMaxDim, name);
  }
  return out;
}

// a·b for sizes in [0, kMaxDim], or ArgError when the product passes kMaxDim (a shape naming more
// elements than any buffer holds).
inline int64_t mulSize(int64_t a, int64_t b, const char* what) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > kMaxDim) throw ArgError{std::string(what) + ": sizes too large"};
  return r;
}

// Wraps an entry point body: ArgError becomes a JS TypeError, std::bad_alloc a RangeError, any
// other C++ exception (std::exception or not) a JS Error. Nothing escapes to terminate the process.
template <typename F>
inline Napi::Value guarded(const Napi::CallbackInfo& info, F body) {
  Napi::Env env = info.Env();
  try {
    body();
  } catch (const ArgError& e) {
    Napi::TypeError::New(env, e.message).ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    Napi::RangeError::New(env, "jepa_native: out of memory").ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    Napi::Error::New(env, std::string("jepa_native: ") + e.what()).ThrowAsJavaScriptException();
  } catch (...) {
    Napi::Error::New(env, "jepa_native: unknown C++ exception").ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

}  // namespace jnat
