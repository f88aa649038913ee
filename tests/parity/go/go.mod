module example.invalid/warden/tests/parity/go

go 1.24

require example.invalid/warden/bindings-go v0.0.0

replace example.invalid/warden/bindings-go => ../../../bindings-go
