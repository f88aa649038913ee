// Command verify issues an ATI session token and verifies it: a minimal program showing that
// `go build` links the Warden core statically (no shared library needed at run time).
package main

import (
	"errors"
	"fmt"
	"os"

	warden "example.invalid/warden/bindings-go"
)

const secret = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func main() {
	tok, err := warden.IssueToken(secret, "agent-1", "tool:web_search skill:research-*", warden.TTL(600))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	claims, err := warden.ValidateToken(tok, secret)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sub, _ := claims.Sub()
	fmt.Printf("sub=%s allows(skill:research-papers)=%v\n", sub, claims.Allows("skill:research-papers"))

	_, err = warden.ValidateToken(tok+"x", secret)
	var werr *warden.Error
	if errors.As(err, &werr) {
		fmt.Printf("tampered: code=%s reason=%s\n", werr.Code, werr.Reason)
	}
}
