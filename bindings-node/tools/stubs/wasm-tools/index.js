'use strict'
// See package.json: wasm builds are not supported in this repository.
throw new Error('@napi-rs/wasm-tools is stubbed out in bindings-node (no wasm builds)')
