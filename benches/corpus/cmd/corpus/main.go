// Command corpus is the benchmark corpus writer for leakscope. It is ONE Go
// process that leaks on purpose and writes, with runtime/pprof, the dumps a
// user would collect from it over time:
//
//   - heap-<stamp>.pb.gz       a heap profile (gzip protobuf, debug=0) at every tick
//   - goroutine-<stamp>.txt    a goroutine debug=2 dump at every "moment"
//   - goroutine-<stamp>.pb.gz  a goroutine profile (debug=0) at the same moments
//
// <stamp> is the UTC wall time at one-second resolution (2006-01-02T15-04-05Z);
// ticks are at least one second apart so stamps never collide. With -interval
// (the day-long corpus: -interval 1m), stamps are logical instead: -start plus
// tick × interval, and the program does not wait between ticks. The moments are
// spread evenly over the ticks. The allocation sites and goroutine kinds are
// generated (cmd/gensrc writes zz_generated.go); see heap.go and gor.go.
//
// Build and run it with benches/gen-corpus.sh rather than by hand.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

func main() {
	out := flag.String("out", "bench-corpus", "directory for the dumps (created)")
	heapN := flag.Int("heap", 120, "number of heap snapshots (ticks)")
	moments := flag.Int("moments", 30, "number of goroutine moments (debug=2 + debug=0 dumps), <= -heap")
	gStart := flag.Int("g-start", 20000, "goroutines at the first moment (about)")
	gEnd := flag.Int("g-end", 70000, "goroutines at the last moment (about)")
	rate := flag.Int("rate", 1, "runtime.MemProfileRate (1 = record every allocation)")
	allowTrunc := flag.Bool("allow-truncated", false, "do not fail when a debug=2 dump reaches the runtime's 64 MiB cut")
	interval := flag.Duration("interval", 0, "logical time between ticks for the file-name stamps (0: wall clock, ticks >= 1 s apart)")
	startAt := flag.String("start", "2026-11-26T00:00:00Z", "the first tick's stamp with -interval (RFC 3339)")
	goroutinePB := flag.Bool("goroutine-pb", true, "also write a goroutine profile (debug=0) at every moment")
	flag.Parse()
	runtime.MemProfileRate = *rate

	if len(sites) == 0 || len(gkinds) == 0 {
		fatal(fmt.Errorf("no generated sites: build with benches/gen-corpus.sh (it runs cmd/gensrc)"))
	}
	if *heapN < 1 || *moments < 0 || *moments > *heapN {
		fatal(fmt.Errorf("need -heap >= 1 and 0 <= -moments <= -heap"))
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatal(err)
	}

	start, err := time.Parse(time.RFC3339, *startAt)
	if err != nil {
		fatal(fmt.Errorf("-start: %w", err))
	}
	h := newHeapState(*heapN)
	g := newGorState(*gStart, *gEnd, *moments)
	begin := time.Now()
	var heapBytes, d2Bytes, gpbBytes, d2Max int64
	var heapFiles, d2Files, gpbFiles int
	m := 0
	var last int64
	for t := 0; t < *heapN; t++ {
		h.tick(t)
		isMoment := *moments > 0 && m < *moments && (t == 0 || t**moments / *heapN != (t-1)**moments / *heapN)
		if isMoment {
			g.moment(m)
		}
		runtime.GC() // like ?gc=1: the heap profile then shows this tick
		var now time.Time
		if *interval > 0 {
			now = start.Add(time.Duration(t) * *interval).UTC()
		} else {
			now = nextSecond(&last)
		}
		stamp := now.Format("2006-01-02T15-04-05Z")
		heapPath := filepath.Join(*out, "heap-"+stamp+".pb.gz")
		n := write(heapPath, "heap", 0)
		if *interval > 0 {
			// The profile's own time agrees with the logical stamp.
			if n, err = setProfileTime(heapPath, now); err != nil {
				fatal(err)
			}
		}
		heapBytes += n
		heapFiles++
		line := fmt.Sprintf("tick %3d/%d  heap %6.0f KiB", t+1, *heapN, float64(n)/1024)
		if isMoment {
			d2 := write(filepath.Join(*out, "goroutine-"+stamp+".txt"), "goroutine", 2)
			if d2 >= 64<<20 && !*allowTrunc {
				fatal(fmt.Errorf("goroutine-%s.txt is %d bytes: the runtime cut it at 64 MiB; lower -g-end", stamp, d2))
			}
			d2Bytes += d2
			d2Files++
			d2Max = max(d2Max, d2)
			var gp int64
			if *goroutinePB {
				gpPath := filepath.Join(*out, "goroutine-"+stamp+".pb.gz")
				gp = write(gpPath, "goroutine", 0)
				if *interval > 0 {
					if gp, err = setProfileTime(gpPath, now); err != nil {
						fatal(err)
					}
				}
				gpbBytes += gp
				gpbFiles++
			}
			line += fmt.Sprintf("  moment %2d/%d  goroutines %6d  debug=2 %5.1f MiB  pb %5.0f KiB",
				m+1, *moments, runtime.NumGoroutine(), float64(d2)/(1<<20), float64(gp)/1024)
			m++
		}
		fmt.Fprintf(os.Stderr, "%s  [%s]\n", line, time.Since(begin).Round(time.Second))
	}
	fmt.Fprintf(os.Stderr, "done in %s: %d sites, %d goroutine kinds\n", time.Since(begin).Round(time.Second), len(sites), len(gkinds))
	fmt.Fprintf(os.Stderr, "  heap protobufs:      %4d files %8.1f MiB\n", heapFiles, float64(heapBytes)/(1<<20))
	fmt.Fprintf(os.Stderr, "  goroutine debug=2:   %4d files %8.1f MiB (largest %.1f MiB)\n", d2Files, float64(d2Bytes)/(1<<20), float64(d2Max)/(1<<20))
	fmt.Fprintf(os.Stderr, "  goroutine protobufs: %4d files %8.1f MiB\n", gpbFiles, float64(gpbBytes)/(1<<20))
	fmt.Fprintf(os.Stderr, "  total:               %4d files %8.1f MiB\n", heapFiles+d2Files+gpbFiles, float64(heapBytes+d2Bytes+gpbBytes)/(1<<20))
	runtime.KeepAlive(h)
	runtime.KeepAlive(g)
}

// nextSecond returns the current UTC time, first waiting until its Unix
// second is later than the previous one returned.
func nextSecond(last *int64) time.Time {
	for {
		t := time.Now().UTC()
		if t.Unix() > *last {
			*last = t.Unix()
			return t
		}
		time.Sleep(time.Until(time.Unix(*last+1, 0)) + time.Millisecond)
	}
}

// write writes profile `name` at the debug level to path and returns its size.
func write(path, name string, debug int) int64 {
	f, err := os.Create(path)
	if err != nil {
		fatal(err)
	}
	if err := pprof.Lookup(name).WriteTo(f, debug); err != nil {
		fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		fatal(err)
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
	return st.Size()
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "corpus:", err)
	os.Exit(1)
}
