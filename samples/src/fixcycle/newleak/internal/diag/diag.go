// Package diag writes the service's profiles to a directory at regular
// intervals, the way the on-call runbook collects them: a heap profile after
// a GC, a full goroutine dump (debug=2) and, at the last collection, a
// goroutineleak profile.
package diag

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

// Collector writes profiles into Dir.
type Collector struct {
	Dir     string
	lastSec int64
}

// now returns the UTC time, waiting if needed until the second differs from
// the previous collection so that file names never collide.
func (c *Collector) now() time.Time {
	for {
		t := time.Now().UTC()
		if t.Unix() > c.lastSec {
			c.lastSec = t.Unix()
			return t
		}
		time.Sleep(time.Until(time.Unix(c.lastSec+1, 0)) + time.Millisecond)
	}
}

// Collect writes heap-<stamp>.pb.gz and goroutine-<stamp>.txt, plus
// goroutineleak-<stamp>.pb.gz when last is true. The stamp is RFC 3339 in
// UTC with '-' instead of ':'.
func (c *Collector) Collect(last bool) error {
	stamp := c.now().Format("2006-01-02T15-04-05Z")
	runtime.GC()
	if err := c.write("heap-"+stamp+".pb.gz", "heap", 0); err != nil {
		return err
	}
	if err := c.write("goroutine-"+stamp+".txt", "goroutine", 2); err != nil {
		return err
	}
	if last {
		return c.write("goroutineleak-"+stamp+".pb.gz", "goroutineleak", 0)
	}
	return nil
}

func (c *Collector) write(name, profile string, debug int) error {
	p := pprof.Lookup(profile)
	if p == nil {
		return fmt.Errorf("diag: no %s profile", profile)
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(c.Dir, name))
	if err != nil {
		return err
	}
	if err := p.WriteTo(f, debug); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
