{
  "targets": [
    {
      "target_name": "ferrolb_native",
      "sources": [
        "src/native/addon.cc",
        "src/native/code-pages.cc",
        "src/native/errors.cc",
        "src/native/netlink-socket.cc",
        "src/native/packet-socket.cc",
        "src/native/sockaddr.cc",
        "src/native/tcp-socket.cc",
        "src/native/udp-socket.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
