// Peer driver: the official Go client (github.com/hazelcast/hazelcast-go-client), with the
// options and the one-line JSON output of the Rust `loadgen` (benches/src/cli.rs, report.rs).
// Built by `cargo xtask bench` into target/bench/ (GOFLAGS=-mod=mod, Go module proxy).
//
// Closed loop: C goroutines, each issuing its next call when the previous one returns.
// Open loop: operation i is due at start + i/R, at most C in flight; latency runs from the
// intended time. Latencies go into slices, sorted at the end (nearest-rank percentiles).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hazelcast/hazelcast-go-client"
	"github.com/hazelcast/hazelcast-go-client/logger"
)

type report struct {
	Driver      string  `json:"driver"`
	API         string  `json:"api"`
	Workload    string  `json:"workload"`
	Mode        string  `json:"mode"`
	Concurrency int     `json:"concurrency"`
	Rate        float64 `json:"rate"`
	Members     int     `json:"members"`
	ValueSize   int     `json:"value_size"`
	DurationS   float64 `json:"duration_s"`
	Ops         int     `json:"ops"`
	Errors      int64   `json:"errors"`
	Throughput  float64 `json:"throughput"`
	P50         float64 `json:"p50_us"`
	P90         float64 `json:"p90_us"`
	P99         float64 `json:"p99_us"`
	P999        float64 `json:"p999_us"`
	Max         float64 `json:"max_us"`
	CPUS        float64 `json:"cpu_s"`
	CPUPerOp    float64 `json:"cpu_us_per_op"`
	IdleRSS     int64   `json:"idle_rss_kb"`
	MaxRSS      int64   `json:"max_rss_kb"`
}

func status(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field) {
			v, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(l[len(field):]), "kB")), 10, 64)
			return v
		}
	}
	return 0
}

func cpu() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func pct(s []int64, q float64) float64 {
	if len(s) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(s)))) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return float64(s[i]) / 1e3
}

func main() {
	members := flag.String("members", "127.0.0.1:5701", "member addresses")
	clusterName := flag.String("cluster-name", "dev", "cluster name")
	workload := flag.String("workload", "get", "get|put|set|mix")
	concurrency := flag.Int("concurrency", 1, "operations in flight")
	rate := flag.Float64("rate", 0, "open-loop rate (0: closed loop)")
	keys := flag.Int("keys", 10000, "key space")
	valueSize := flag.Int("value-size", 100, "value size")
	warmup := flag.Float64("warmup", 5, "warm-up seconds")
	duration := flag.Float64("duration", 10, "measured seconds")
	mapName := flag.String("map", "bench", "map name")
	seed := flag.Int64("seed", 42, "random seed")
	progress := flag.Float64("progress", 1, "progress interval seconds (0: none)")
	_ = flag.Int("threads", 1, "ignored (GOMAXPROCS sets the core budget)")
	prefill := flag.Bool("prefill", false, "set every key first")
	flag.Parse()

	ctx := context.Background()
	cfg := hazelcast.NewConfig()
	cfg.Cluster.Name = *clusterName
	addrs := strings.Split(*members, ",")
	cfg.Cluster.Network.SetAddresses(addrs...)
	cfg.Cluster.Unisocket = false
	cfg.Logger.Level = logger.WarnLevel
	cfg.Stats.Enabled = false
	client, err := hazelcast.StartNewClientWithConfig(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "connect:", err)
		os.Exit(1)
	}
	m, err := client.GetMap(ctx, *mapName)
	if err != nil {
		fmt.Fprintln(os.Stderr, "map:", err)
		os.Exit(1)
	}
	_, _ = m.Get(ctx, "probe")
	time.Sleep(200 * time.Millisecond)
	idle := status("VmRSS:")

	keyNames := make([]string, *keys)
	for i := range keyNames {
		keyNames[i] = "k-" + strconv.Itoa(i)
	}
	value := strings.Repeat("x", *valueSize)
	if *prefill {
		for _, k := range keyNames {
			if err := m.Set(ctx, k, value); err != nil {
				fmt.Fprintln(os.Stderr, "prefill:", err)
				os.Exit(1)
			}
		}
	}

	var phase atomic.Int32 // 0 warm-up, 1 measure, 2 done
	var completed, failed, measuredErrors atomic.Int64
	op := func(rnd *rand.Rand) error {
		k := keyNames[rnd.Intn(*keys)]
		w := *workload
		if w == "mix" {
			switch r := rnd.Intn(10); {
			case r < 4:
				w = "get"
			case r < 8:
				w = "set"
			default:
				w = "remove"
			}
		}
		var err error
		switch w {
		case "get":
			_, err = m.Get(ctx, k)
		case "set":
			err = m.Set(ctx, k, value)
		case "put":
			_, err = m.Put(ctx, k, value)
		default:
			_, err = m.Remove(ctx, k)
		}
		return err
	}
	finish := func(start time.Time, err error, lat *[]int64) {
		ns := time.Since(start).Nanoseconds()
		completed.Add(1)
		if err != nil {
			failed.Add(1)
		}
		if phase.Load() == 1 {
			*lat = append(*lat, ns)
			if err != nil {
				measuredErrors.Add(1)
			}
		}
	}

	t0 := time.Now()
	if *progress > 0 {
		go func() {
			last, lastT := int64(0), time.Now()
			for phase.Load() != 2 {
				time.Sleep(time.Duration(*progress * float64(time.Second)))
				now, c := time.Now(), completed.Load()
				fmt.Fprintf(os.Stderr, "[go %5.1fs %s] %9.0f ops/s, %d errors\n", now.Sub(t0).Seconds(),
					[]string{"warm-up", "measure", "stop"}[phase.Load()], float64(c-last)/now.Sub(lastT).Seconds(), failed.Load())
				last, lastT = c, now
			}
		}()
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var all []int64
	if *rate <= 0 {
		for w := 0; w < *concurrency; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				rnd := rand.New(rand.NewSource(*seed + int64(w)))
				lat := make([]int64, 0, 1<<16)
				for phase.Load() != 2 {
					start := time.Now()
					err := op(rnd)
					finish(start, err, &lat)
				}
				mu.Lock()
				all = append(all, lat...)
				mu.Unlock()
			}(w)
		}
	} else {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem := make(chan struct{}, *concurrency)
			rnd := rand.New(rand.NewSource(*seed))
			period := time.Duration(1e9 / *rate)
			start := time.Now()
			var inner sync.WaitGroup
			for i := 0; phase.Load() != 2; i++ {
				due := start.Add(time.Duration(i) * period)
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				}
				sem <- struct{}{}
				r := rand.New(rand.NewSource(rnd.Int63()))
				inner.Add(1)
				go func() {
					defer inner.Done()
					err := op(r)
					var one []int64
					finish(due, err, &one)
					if len(one) > 0 {
						mu.Lock()
						all = append(all, one...)
						mu.Unlock()
					}
					<-sem
				}()
			}
			inner.Wait()
		}()
	}
	time.Sleep(time.Duration(*warmup * float64(time.Second)))
	cpu0, w0 := cpu(), time.Now()
	phase.Store(1)
	time.Sleep(time.Duration(*duration * float64(time.Second)))
	phase.Store(2)
	cpu1, w1 := cpu(), time.Now()
	wg.Wait()
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	secs := w1.Sub(w0).Seconds()
	cpuS := cpu1 - cpu0
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	r := report{
		Driver: "go", API: "Map (hazelcast-go-client v1.5.0)", Workload: *workload, Mode: "closed",
		Concurrency: *concurrency, Rate: *rate, Members: len(addrs), ValueSize: *valueSize,
		DurationS: secs, Ops: len(all), Errors: measuredErrors.Load(), Throughput: float64(len(all)) / secs,
		P50: pct(all, 0.5), P90: pct(all, 0.9), P99: pct(all, 0.99), P999: pct(all, 0.999),
		CPUS: cpuS, IdleRSS: idle, MaxRSS: ru.Maxrss,
	}
	if *rate > 0 {
		r.Mode = "open"
	}
	if len(all) > 0 {
		r.Max = float64(all[len(all)-1]) / 1e3
		r.CPUPerOp = cpuS * 1e6 / float64(len(all))
	}
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	_ = client.Shutdown(ctx)
}
