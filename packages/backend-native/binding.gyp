{
  "variables": {
    "jnat_sources": [
      "native/addon.cc",
      "native/pool.cc",
      "native/gemm.cc",
      "native/elementwise.cc",
      "native/layout.cc",
      "native/fused.cc"
    ]
  },
  "target_defaults": {
    "sources": ["<@(jnat_sources)"],
    "include_dirs": [
      "<!(node -p \"require('node-addon-api').include_dir\")",
      "<!@(pkg-config --cflags-only-I openblas | sed -e 's/-I//g')"
    ],
    "libraries": ["<!@(pkg-config --libs openblas)", "-lpthread"],
    "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
    "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fexceptions"],
    "ldflags": ["<!@(pkg-config --libs-only-L openblas | sed -e 's/-L/-Wl,-rpath,/g')"]
  },
  "targets": [
    {
      "target_name": "jepa_native",
      "conditions": [["target_arch=='x64'", { "cflags_cc": ["-march=x86-64-v2", "-mtune=generic"] }]]
    },
    {
      "target_name": "jepa_native_v3",
      "conditions": [["target_arch=='x64'", { "cflags_cc": ["-march=x86-64-v3", "-mtune=generic"] }]]
    },
    {
      "target_name": "jepa_native_v4",
      "conditions": [["target_arch=='x64'", { "cflags_cc": ["-march=x86-64-v4", "-mtune=generic"] }]]
    }
  ]
}
