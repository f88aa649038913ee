package warden_test

// Replays every case of every engine-shaped file in ../tests/vectors (top-level suite and
// clock, SEMANTICS-engine §18; found by shape, not by name) through the public API, with the
// replay package (the same code the Go parity runner uses). t.Run("<file>/<case>") per case;
// no case is skipped.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"example.invalid/warden/bindings-go/replay"
)

func vectorsDir() string {
	if d := os.Getenv("WARDEN_VECTORS_DIR"); d != "" {
		return d
	}
	return "../tests/vectors"
}

func TestEngineVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(vectorsDir(), "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vector files in %s: %v", vectorsDir(), err)
	}
	sort.Strings(files)
	counts := map[string]int{}
	var engineFiles []string
	for _, path := range files {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(text, &top); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if _, s := top["suite"]; !s {
			continue
		}
		if _, c := top["clock"]; !c {
			continue
		}
		name := filepath.Base(path)
		engineFiles = append(engineFiles, name)
		f, err := replay.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			seen := map[string]bool{}
			for _, c := range f.Cases {
				cname := replay.Name(c)
				if seen[cname] {
					t.Errorf("duplicate case name %s", cname)
				}
				seen[cname] = true
				counts[name]++
				t.Run(cname, func(t *testing.T) {
					r := replay.RunCase(c, f.Clock)
					if len(r.Failures) > 0 {
						t.Fatalf("%s::%s\n  %s", name, cname, strings.Join(r.Failures, "\n  "))
					}
					if len(r.Transcript) == 0 {
						t.Fatalf("%s::%s: nothing ran", name, cname)
					}
				})
			}
		})
	}
	if len(engineFiles) == 0 {
		t.Fatal("no engine-shaped vector files found")
	}
	total := 0
	for _, name := range engineFiles {
		t.Logf("%s: %d cases run, 0 not applicable in Go", name, counts[name])
		total += counts[name]
	}
	t.Logf("engine vectors: %d cases run in %d files", total, len(engineFiles))
}
