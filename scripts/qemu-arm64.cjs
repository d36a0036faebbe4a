// Preloaded (--require) into the x64 vitest process of `.ci/run`'s arm64 slice: its forks
// workers start through process.execPath, which now is a script running the arm64 Node
// under qemu-aarch64 (no binfmt_misc here), so the test files run on arm64 and load
// prebuilds/linux-arm64/bsdsock.glibc.node (PREBUILDS_ONLY=1 skips the x64 build/).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const toolchain = require('./toolchain.cjs');

const node = toolchain.fetch('node-arm64');
const wrapper = path.join(toolchain.dir, 'bin', 'node-arm64');
fs.mkdirSync(path.dirname(wrapper), { recursive: true });
fs.writeFileSync(wrapper, `#!/bin/sh\nexec qemu-aarch64 -L /usr/aarch64-linux-gnu '${node}' "$@"\n`, {
  mode: 0o755,
});
process.execPath = wrapper;
