package main

// The goroutine side of the corpus: a few hundred goroutine kinds (gwork000 …
// in zz_generated.go), each blocked in its own way, reached through 0–8
// layer frames. Kinds are in one of three classes:
//
//	stable  a fixed pool, spawned before the first moment (60 % of the start count)
//	churn   two batches per kind; at each moment the oldest batch is released
//	        (its goroutines exit) and a new one of varying size is spawned
//	        (40 % of the start count on average)
//	leak    grows at every moment, at a rate that differs per kind, from 0 to
//	        (end − start) goroutines in all
//
// Wait reasons in debug=2 headers, by primitive (see gensrc):
// chan receive, chan send, select, sync.Mutex.Lock, sync.Cond.Wait,
// sync.WaitGroup.Wait, sleep, chan receive (nil chan), select (no cases).

import (
	"context"
	"runtime/pprof"
	"sync"
)

// gkindDef describes one generated goroutine kind.
type gkindDef struct {
	fn     func(c *gctl, q chan struct{})
	class  int
	prim   int
	depth  int
	labels []string
}

// gkinds holds the generated kinds (filled by zz_generated.go).
var gkinds []gkindDef

// gctl holds the primitives the goroutines of one kind block on.
type gctl struct {
	ch    chan int
	send  chan int
	nilch chan int
	mu    sync.Mutex // locked once, never unlocked
	cmu   sync.Mutex
	cond  *sync.Cond
	done  bool
	wg    sync.WaitGroup // Add(1), never Done
}

type batch struct {
	q chan struct{}
	n int
}

type gkindState struct {
	idx     int
	def     *gkindDef
	ctl     *gctl
	ctx     context.Context
	forever chan struct{}
	count   int
	batches []batch
	weight  int
}

var gLayers [4]func(d int, k *gkindState, q chan struct{})

func init() {
	gLayers = [4]func(int, *gkindState, chan struct{}){glServe, glHandle, glStream, glWait}
}

//go:noinline
func glServe(d int, k *gkindState, q chan struct{}) {
	if d <= 0 {
		k.def.fn(k.ctl, q)
		return
	}
	gLayers[(d+k.idx)&3](d-1, k, q)
}

//go:noinline
func glHandle(d int, k *gkindState, q chan struct{}) {
	if d <= 0 {
		k.def.fn(k.ctl, q)
		return
	}
	gLayers[(d+k.idx)&3](d-1, k, q)
}

//go:noinline
func glStream(d int, k *gkindState, q chan struct{}) {
	if d <= 0 {
		k.def.fn(k.ctl, q)
		return
	}
	gLayers[(d+k.idx)&3](d-1, k, q)
}

//go:noinline
func glWait(d int, k *gkindState, q chan struct{}) {
	if d <= 0 {
		k.def.fn(k.ctl, q)
		return
	}
	gLayers[(d+k.idx)&3](d-1, k, q)
}

//go:noinline
func gentry(k *gkindState, q chan struct{}) {
	if k.ctx != nil {
		pprof.SetGoroutineLabels(k.ctx)
	}
	gLayers[k.idx&3](k.def.depth, k, q)
}

//go:noinline
func spawn(k *gkindState, q chan struct{}, n int) {
	for j := 0; j < n; j++ {
		go gentry(k, q)
	}
	k.count += n
}

// gorState drives the goroutine population over the moments.
type gorState struct {
	start, end, moments int
	kinds               []*gkindState
	stableEach          int
	churnEach           int
	leakWeights         int
}

func newGorState(start, end, moments int) *gorState {
	g := &gorState{start: start, end: end, moments: moments}
	var nStable, nChurn int
	for i := range gkinds {
		def := &gkinds[i]
		c := &gctl{ch: make(chan int), send: make(chan int)}
		c.cond = sync.NewCond(&c.cmu)
		c.mu.Lock()
		c.wg.Add(1)
		k := &gkindState{idx: i, def: def, ctl: c, forever: make(chan struct{}), weight: 1 + (i*7)%5}
		if len(def.labels) > 0 {
			k.ctx = pprof.WithLabels(context.Background(), pprof.Labels(def.labels...))
		}
		switch def.class {
		case 0:
			nStable++
		case 1:
			nChurn++
		default:
			g.leakWeights += k.weight
		}
		g.kinds = append(g.kinds, k)
	}
	if nStable > 0 {
		g.stableEach = start * 6 / 10 / nStable
	}
	if nChurn > 0 {
		g.churnEach = start * 4 / 10 / nChurn
	}
	return g
}

// moment brings the population to what moment m (0-based) should have.
func (g *gorState) moment(m int) {
	leakTotal := 0
	if g.moments > 1 && g.end > g.start {
		leakTotal = (g.end - g.start) * m / (g.moments - 1)
	}
	for _, k := range g.kinds {
		switch k.def.class {
		case 0:
			if m == 0 {
				spawn(k, k.forever, g.stableEach)
			}
		case 1:
			for len(k.batches) >= 2 {
				close(k.batches[0].q)
				k.count -= k.batches[0].n
				k.batches = k.batches[1:]
			}
			for len(k.batches) < 2 {
				frac := (m*31 + k.idx*17 + len(k.batches)*53) % 101
				n := g.churnEach / 2 * (50 + frac) / 100
				b := batch{q: make(chan struct{}), n: n}
				spawn(k, b.q, n)
				k.batches = append(k.batches, b)
			}
		default:
			target := 0
			if g.leakWeights > 0 {
				target = leakTotal * k.weight / g.leakWeights
			}
			if target > k.count {
				spawn(k, k.forever, target-k.count)
			}
		}
	}
}

// total is the number of goroutines this state has alive (or exiting).
func (g *gorState) total() int {
	n := 0
	for _, k := range g.kinds {
		n += k.count
	}
	return n
}
