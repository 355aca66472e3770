// Command chan-send-leak is the classic goroutine leak: every request starts a
// producer goroutine that sends its result on an unbuffered channel, but the
// consumer returns early when validation fails (every 3rd request), so nobody
// ever receives and the producer blocks forever on `ch <- r` while it still
// holds its 64 KiB buffer.
//
// Default mode: at each tick it writes heap-<RFC3339>.pb.gz (after a GC),
// goroutine-<RFC3339>.txt (debug=2) and, at the last two ticks,
// goroutineleak-<RFC3339>.pb.gz.
//
// -serve mode (used for the mixed-broken archive): it serves net/http/pprof on
// 127.0.0.1 and prints "LISTEN addr" and "TICK n" lines; the driver fetches.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"leakscope.samples/snap"
)

var (
	serve      = flag.Bool("serve", false, "serve net/http/pprof on 127.0.0.1 instead of writing dumps")
	cpuProfile = flag.String("cpuprofile", "", "write a 1 s CPU profile of the first tick to this file")
	perTick    = flag.Int("requests", 24, "requests per tick")
)

type result struct {
	id  int
	sum uint32
}

var (
	errBadInput = errors.New("bad input")
	bytesServed atomic.Int64
	served      atomic.Int64
	failed      atomic.Int64
)

// validate rejects every 3rd request.
func validate(id int) error {
	if id%3 == 0 {
		return fmt.Errorf("request %d: %w", id, errBadInput)
	}
	return nil
}

// handleRequest is the consumer: it starts a producer and reads its result,
// except that it returns early on a validation error.
func handleRequest(ctx context.Context, id int) error {
	ch := make(chan result)
	go produce(ch, id)
	if err := validate(id); err != nil {
		return err // BUG: nobody will ever receive from ch
	}
	r := <-ch
	consume(r)
	return nil
}

// produce computes a result from a 64 KiB buffer and sends it. The buffer is
// used again after the send, so it stays live while the send blocks.
func produce(ch chan<- result, id int) {
	buf := make([]byte, 64<<10)
	for i := range buf {
		buf[i] = byte(id + i)
	}
	r := result{id: id, sum: crc32.ChecksumIEEE(buf)}
	ch <- r
	release(buf)
}

//go:noinline
func release(buf []byte) { bytesServed.Add(int64(len(buf)) + int64(buf[0]&0)) }

//go:noinline
func consume(r result) { served.Add(1) }

// serveBatch simulates one tick of traffic: n concurrent requests, each in its
// own handler goroutine labelled like an HTTP route.
func serveBatch(first, n int) {
	var wg sync.WaitGroup
	for id := first; id < first+n; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			labels := pprof.Labels("handler", "/api/items")
			pprof.Do(context.Background(), labels, func(ctx context.Context) {
				if err := handleRequest(ctx, id); err != nil {
					failed.Add(1)
				}
			})
		}()
	}
	wg.Wait()
}

func main() {
	snap.Parse()
	if *serve {
		runtime.SetBlockProfileRate(10000)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go http.Serve(ln, nil)
		snap.Say("LISTEN %s", ln.Addr())
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		go func() {
			time.Sleep(time.Second)
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	next := 1
	snap.Run(func(tick int) {
		serveBatch(next, *perTick)
		next += *perTick
	}, func(tick int) {
		if *serve {
			snap.Say("TICK %d", tick)
			return
		}
		now := snap.Now()
		st := snap.Stamp(now)
		snap.GC()
		snap.Write("heap-"+st+".pb.gz", "heap", 0)
		snap.Write("goroutine-"+st+".txt", "goroutine", 2)
		if tick > *snap.Ticks-2 {
			snap.Write("goroutineleak-"+st+".pb.gz", "goroutineleak", 0)
		}
		snap.Say("TICK %d", tick)
	})
	if *serve {
		snap.Linger() // let the driver take its last captures
	}
	snap.Say("DONE served=%d failed=%d", served.Load(), failed.Load())
}
