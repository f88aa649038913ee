// Command guardlatency measures in-process Guard.Check latency through the Go SDK (cgo → C
// ABI → Rust core: decision + audit append + counters, the typed Decision read back), p50 and
// p99, on one goroutine and on 8 concurrent goroutines. Same setup as
// bench/rust/benches/guard_latency.rs. Prints one line per scenario; figures are whatever this
// run measures.
package main

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	warden "example.invalid/warden/bindings-go"
)

func setup() (*warden.Client, *warden.Guard) {
	c, err := warden.LocalClient()
	check(err)
	a, err := c.CreateAgent(warden.Args{"name": "bench", "capabilities": []string{"tool:web_search", "tool:db:*", "tool:kanban:*"}})
	check(err)
	s, err := c.InitSession(warden.Args{"agent_id": a["agent_id"], "server_id": "bench", "mode": "open"})
	check(err)
	g, err := warden.NewGuard(c, a["agent_id"].(string), warden.WithSessionID(s["session_id"].(string)), warden.WithFlushTimer(false))
	check(err)
	return c, g
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "guardlatency:", err)
		os.Exit(1)
	}
}

func pct(v []time.Duration, p float64) time.Duration { return v[int(float64(len(v)-1)*p)] }

func run(workers, perWorker int) (p50, p99 time.Duration, rate float64) {
	c, g := setup()
	defer c.Close()
	defer g.Close()
	for i := 0; i < 2000; i++ {
		_, err := g.Check("db:query", "")
		check(err)
	}
	tools := []string{"web_search", "db:query", "kanban:list_cards"}
	lat := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			l := make([]time.Duration, 0, perWorker)
			for i := 0; i < perWorker; i++ {
				t0 := time.Now()
				d, err := g.Check(tools[(i+w)%3], "")
				l = append(l, time.Since(t0))
				if err != nil || !d.Allowed {
					check(fmt.Errorf("unexpected denial: %v %+v", err, d))
				}
			}
			lat[w] = l
		}(w)
	}
	wg.Wait()
	wall := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return pct(all, 0.50), pct(all, 0.99), float64(len(all)) / wall.Seconds()
}

func main() {
	fmt.Println("guard.Check through the Go SDK (cgo, Local engine; decision + audit append + counters, typed Decision)")
	for _, s := range []struct{ workers, n int }{{1, 100_000}, {8, 25_000}} {
		p50, p99, rate := run(s.workers, s.n)
		fmt.Printf("go guard_check/%d_goroutines  p50 %.2f us  p99 %.2f us  throughput %.0f checks/s\n",
			s.workers, float64(p50.Nanoseconds())/1000, float64(p99.Nanoseconds())/1000, rate)
	}
}
