{
  "variables": { "sanitize%": 0 },
  "targets": [{
    "target_name": "bsdsock",
    "sources": [
      "native/addon.cc",
      "native/args.cc",
      "native/constants.cc",
      "native/engine.cc",
      "native/errors.cc",
      "native/fd.cc",
      "native/filter.cc",
      "native/functions.cc",
      "native/message.cc",
      "native/ring.cc",
      "native/select.cc",
      "native/sock_call.cc",
      "native/sockaddr.cc",
      "native/syscalls.cc",
      "native/watcher.cc"
    ],
    "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api"],
    "defines": ["NAPI_VERSION=8", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS", "_GNU_SOURCE"],
    "cflags_cc": ["-Wall", "-Wextra", "-Wno-missing-field-initializers"],
    "conditions": [["sanitize==1", {
      "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined", "-g", "-O1"],
      "ldflags": ["-fsanitize=address,undefined"]
    }]]
  }]
}
