// Command parity is the Go parity runner (tests/parity/README.md): it replays engine-shaped
// scenario files through the public API of the Go SDK and writes one transcript per file.
//
//	parity <scenario files...> --out <dir> [--gateway URL --api-key KEY]
//
// Each file gives <dir>/<file stem>.json = {"<case>": [record, ...], ...}. The replay (aliases,
// matchers, guard steps, faults, typed Client methods) is bindings-go/replay, shared with the
// Go vector test. Exit status 1, naming each failing "file::case step i", when an expectation
// does not match (the transcripts are still written); 2 for usage or I/O errors.
//
// With --gateway URL --api-key KEY every scenario runs through warden.Connect against a
// gateway started with --test-mode (tests/parity/README.md, "Against a live gateway":
// test_reset per case, test_advance for advance); the transcripts must still equal expected/.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"example.invalid/warden/bindings-go/replay"
)

func main() {
	var files []string
	out, gatewayURL, apiKey := "", "", ""
	hasGateway, hasKey := false, false
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--out" && i+1 < len(args):
			out = args[i+1]
			i++
		case strings.HasPrefix(args[i], "--out="):
			out = strings.TrimPrefix(args[i], "--out=")
		case args[i] == "--gateway" && i+1 < len(args):
			gatewayURL, hasGateway = args[i+1], true
			i++
		case strings.HasPrefix(args[i], "--gateway="):
			gatewayURL, hasGateway = strings.TrimPrefix(args[i], "--gateway="), true
		case args[i] == "--api-key" && i+1 < len(args):
			apiKey, hasKey = args[i+1], true
			i++
		case strings.HasPrefix(args[i], "--api-key="):
			apiKey, hasKey = strings.TrimPrefix(args[i], "--api-key="), true
		case strings.HasPrefix(args[i], "-"):
			usage("unknown option " + args[i])
		default:
			files = append(files, args[i])
		}
	}
	if out == "" || len(files) == 0 {
		usage("need scenario files and --out <dir>")
	}
	if hasGateway != hasKey {
		usage("--gateway and --api-key go together")
	}
	var gw *replay.Gateway
	mode := ""
	if hasGateway {
		gw = &replay.Gateway{URL: gatewayURL, APIKey: apiKey}
		mode = " against " + gatewayURL
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		fatal(err)
	}
	failed, cases := 0, 0
	for _, path := range files {
		f, err := replay.Load(path)
		if err != nil {
			fatal(err)
		}
		name := filepath.Base(path)
		transcripts := make(map[string]any, len(f.Cases))
		for _, c := range f.Cases {
			cname := replay.Name(c)
			if _, dup := transcripts[cname]; dup {
				fmt.Fprintf(os.Stderr, "FAIL %s::%s: duplicate case name\n", name, cname)
				failed++
			}
			r := replay.RunCaseOn(c, f.Clock, gw)
			cases++
			transcript := r.Transcript
			if transcript == nil {
				transcript = []any{}
			}
			transcripts[cname] = transcript
			for _, msg := range r.Failures {
				fmt.Fprintf(os.Stderr, "FAIL %s::%s %s\n", name, cname, msg)
				failed++
			}
		}
		text, err := json.MarshalIndent(transcripts, "", " ")
		if err != nil {
			fatal(err)
		}
		stem := strings.TrimSuffix(name, filepath.Ext(name))
		if err := os.WriteFile(filepath.Join(out, stem+".json"), append(text, '\n'), 0o644); err != nil {
			fatal(err)
		}
	}
	fmt.Printf("go parity%s: %d files, %d cases, %d expectation failures; transcripts in %s\n", mode, len(files), cases, failed, out)
	if failed > 0 {
		os.Exit(1)
	}
}

func usage(msg string) {
	fmt.Fprintln(os.Stderr, "parity: "+msg+"\nusage: parity <scenario files...> --out <dir> [--gateway URL --api-key KEY]")
	os.Exit(2)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "parity:", err)
	os.Exit(2)
}
