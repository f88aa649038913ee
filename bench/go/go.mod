module example.invalid/warden/bench/go

go 1.24

require (
	example.invalid/warden/bindings-go v0.0.0
	github.com/golang-jwt/jwt/v5 v5.3.1
)

replace example.invalid/warden/bindings-go => ../../bindings-go
