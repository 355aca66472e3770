// Command chan-receive-leak: a fan-out whose sender gives up. dispatch starts
// four workers that range over a jobs channel, sends the jobs and closes the
// channel; but when a job fails to encode it returns early without closing
// it, so the four workers wait forever in `for j := range jobs`.
//
// At each tick it writes goroutine.NNN.txt (debug=1) and heap.NNN.txt (debug=1,
// after a GC). It also serves expvar (/debug/vars) and net/http/pprof on
// 127.0.0.1 so that the driver can fetch vars.NNN.json snapshots.
package main

import (
	"context"
	"errors"
	"expvar"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/pprof"

	"leakscope.samples/snap"
)

type job struct {
	batch, part int
	payload     []byte
}

var (
	batchesStarted = expvar.NewInt("batches_started")
	batchesFailed  = expvar.NewInt("batches_failed")
	jobsDone       = expvar.NewInt("jobs_done")
	workersStarted = expvar.NewInt("workers_started")
	errEncode      = errors.New("cannot encode job")
)

func init() {
	expvar.Publish("goroutines", expvar.Func(func() any { return runtime.NumGoroutine() }))
}

// encodeJob fails on part 5 of batches 1 and 3 (mod 5).
func encodeJob(batch, part int) (job, error) {
	if part == 5 && (batch%5 == 1 || batch%5 == 3) {
		return job{}, fmt.Errorf("batch %d part %d: %w", batch, part, errEncode)
	}
	return job{batch: batch, part: part, payload: make([]byte, 512)}, nil
}

// dispatch is the sender of the fan-out.
func dispatch(batch int) error {
	batchesStarted.Add(1)
	jobs := make(chan job)
	for w := 0; w < 4; w++ {
		go worker(w, jobs)
	}
	for part := 0; part < 8; part++ {
		j, err := encodeJob(batch, part)
		if err != nil {
			batchesFailed.Add(1)
			return err // BUG: jobs is never closed, the workers wait forever
		}
		jobs <- j
	}
	close(jobs)
	return nil
}

// worker processes jobs until the channel is closed.
func worker(id int, jobs <-chan job) {
	workersStarted.Add(1)
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("worker", fmt.Sprintf("w%d", id))))
	for j := range jobs {
		process(j)
	}
}

//go:noinline
func process(j job) { jobsDone.Add(int64(len(j.payload) / 512)) }

func main() {
	snap.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go http.Serve(ln, nil)
	snap.Say("LISTEN %s", ln.Addr())
	batch := 0
	snap.Run(func(tick int) {
		for i := 0; i < 5; i++ {
			batch++
			dispatch(batch)
		}
	}, func(tick int) {
		snap.Write(fmt.Sprintf("goroutine.%03d.txt", tick), "goroutine", 1)
		snap.GC()
		snap.Write(fmt.Sprintf("heap.%03d.txt", tick), "heap", 1)
		snap.Say("TICK %d", tick)
	})
	snap.Linger()
}
