// Command crash-sigquit: a service that leaks a few goroutines per tick
// (waitForAck blocks on a receive from an ack channel nobody sends to after an
// upstream timeout). It logs to stderr, writes goroutine-N.txt (debug=2) at
// each tick, then prints "READY" and waits: the driver sends SIGQUIT and
// saves stderr (log lines + the runtime's dump) as crash.log.
package main

import (
	"fmt"
	"log"
	"os"
	"time"

	"leakscope.samples/snap"
)

// waitForAck waits for the downstream acknowledgement.
func waitForAck(id int, acks <-chan bool, out chan<- int) {
	if <-acks {
		out <- id
	}
}

// forward sends a message downstream; on a timeout it gives up and drops the
// ack channel, but the waiter is already started.
func forward(id int, out chan<- int) {
	acks := make(chan bool)
	go waitForAck(id, acks, out)
	if id%2 == 0 {
		log.Printf("forward %d: upstream timeout after 250ms, giving up", id)
		return // BUG: waitForAck waits forever
	}
	acks <- true
}

func main() {
	snap.Parse()
	log.SetOutput(os.Stderr)
	log.Printf("relay starting, pid %d", os.Getpid())
	log.Printf("listening on 127.0.0.1:0 (loopback only), workers=4")
	out := make(chan int, 4096)
	id := 0
	snap.Run(func(tick int) {
		for i := 0; i < 10; i++ {
			id++
			forward(id, out)
		}
	}, func(tick int) {
		snap.Write(fmt.Sprintf("goroutine-%d.txt", tick), "goroutine", 2)
		log.Printf("tick %d: forwarded=%d acked=%d", tick, id, len(out))
	})
	log.Printf("health check: 0 of 1 upstreams healthy")
	snap.Say("READY")
	time.Sleep(20 * time.Second) // the driver sends SIGQUIT before this ends
	log.Printf("no SIGQUIT received, exiting")
}
