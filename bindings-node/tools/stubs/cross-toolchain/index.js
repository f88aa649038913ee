'use strict'
// See package.json: cross builds are not supported in this repository.
throw new Error('@napi-rs/cross-toolchain is stubbed out in bindings-node (no cross builds)')
