// Package snap holds the small helpers the sample programs share: pacing the
// "ticks" of a simulated service and writing runtime/pprof dumps to files.
// It uses the standard library only.
package snap

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

// Out is the directory the program writes its dumps into (-out flag).
var Out = flag.String("out", "out", "directory for the dumps")

// Ticks is the number of snapshots to take (-ticks flag).
var Ticks = flag.Int("ticks", 10, "number of ticks (snapshots)")

// Interval is the time between two ticks (-interval flag).
var Interval = flag.Duration("interval", 1100*time.Millisecond, "time between ticks")

// Parse parses the flags and creates the output directory.
func Parse() {
	flag.Parse()
	if err := os.MkdirAll(*Out, 0o755); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "snap:", err)
	os.Exit(1)
}

var lastSec int64

// Now returns the current UTC time, after waiting (if needed) until the Unix
// second differs from the one returned by the previous call, so that names
// built from it at one-second resolution never collide.
func Now() time.Time {
	for {
		t := time.Now().UTC()
		if t.Unix() > lastSec {
			lastSec = t.Unix()
			return t
		}
		time.Sleep(time.Until(time.Unix(lastSec+1, 0)) + time.Millisecond)
	}
}

// Stamp formats t like RFC 3339 but with '-' instead of ':' (safe on every
// file system): 2026-11-27T03-20-05Z.
func Stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15-04-05Z") }

// Compact formats t as 20261127T032005Z.
func Compact(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Write writes the named runtime/pprof profile with the given debug level to
// Out/rel, creating parent directories.
func Write(rel, profile string, debug int) {
	p := pprof.Lookup(profile)
	if p == nil {
		fatal(fmt.Errorf("no profile %q", profile))
	}
	path := filepath.Join(*Out, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		fatal(err)
	}
	if err := p.WriteTo(f, debug); err != nil {
		fatal(err)
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
}

// GC runs a full collection, like /debug/pprof/heap?gc=1 does before it
// writes the heap profile.
func GC() { runtime.GC() }

// Run paces the ticks. Tick i starts at (i-1)*Interval: it calls work(i),
// lets the goroutines it started settle for 2/5 of the interval, then calls
// dump(i) and waits for the next tick. A driver that fetches over HTTP when
// it reads "TICK i" therefore sees the same state as dump(i).
func Run(work func(tick int), dump func(tick int)) {
	start := time.Now()
	iv := *Interval
	for i := 1; i <= *Ticks; i++ {
		tickStart := start.Add(time.Duration(i-1) * iv)
		work(i)
		time.Sleep(time.Until(tickStart.Add(iv * 2 / 5)))
		dump(i)
		time.Sleep(time.Until(tickStart.Add(iv)))
	}
}

// Say prints one line on stdout for the driver script (e.g. "TICK 3").
func Say(format string, args ...any) {
	fmt.Fprintf(os.Stdout, format+"\n", args...)
	os.Stdout.Sync()
}

// Linger keeps an HTTP-serving program up after its last tick, so that the
// driver can take its last captures; the driver then ends it with SIGTERM.
// It still stops by itself after 15 s. (The main goroutine sleeps here just
// as it sleeps between ticks, so every capture sees the same set of
// goroutines.)
func Linger() { time.Sleep(15 * time.Second) }
