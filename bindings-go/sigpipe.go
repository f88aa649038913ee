package warden

import (
	"os"
	"os/signal"
	"syscall"
)

// The core writes to sockets from its own (non-Go) threads, and some writes (vectored writes
// of HTTP/TLS records) can raise SIGPIPE when the peer — a gateway — has gone away. The Go
// runtime crashes the process on a SIGPIPE received by a non-Go thread unless the program has
// asked for SIGPIPE with signal.Notify; so this package does, and the write fails with EPIPE
// instead (mapped to NETWORK_ERROR by the core). Side effect, as documented by os/signal: a
// write to a closed standard output or error no longer terminates the program; it returns
// EPIPE like any other descriptor. Python, Node and the JVM already ignore SIGPIPE themselves.
var sigpipe = make(chan os.Signal, 1)

func init() {
	signal.Notify(sigpipe, syscall.SIGPIPE)
	go func() {
		for range sigpipe {
		}
	}()
}
