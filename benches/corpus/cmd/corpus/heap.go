package main

// The heap side of the corpus: thousands of distinct allocation sites
// (alloc0000 … in zz_generated.go), each reached through a chain of 0–56
// "layer" frames so that stacks reach about 60 frames, with four retention
// policies so that some sites leak and the rest churn.

// sites holds the generated allocation sites (filled by zz_generated.go).
var sites []func() any

// sinkInt keeps the compiler from discarding values in generated code.
var sinkInt int

// rec is the struct some generated sites allocate.
type rec struct {
	id      int
	payload [40]byte
	next    *rec
}

// heapLayers are the middle frames between a driver and a site; which one
// follows which depends on the site and the depth, so stacks differ in their
// middle frames as well as in their leaf.
var heapLayers [8]func(d, i int) any

func init() {
	heapLayers = [8]func(int, int) any{hlAccept, hlDecode, hlRoute, hlAuth, hlQuery, hlMerge, hlEncode, hlFlush}
}

//go:noinline
func hlAccept(d, i int) any {
	if d <= 0 {
		return sites[i]()
	}
	return heapLayers[(i+d)&7](d-1, i)
}

//go:noinline
func hlDecode(d, i int) any {
	if d <= 0 {
		return sites[i]()
	}
	return heapLayers[(i+d)&7](d-1, i)
}

//go:noinline
func hlRoute(d, i int) any {
	if d <= 0 {
		return sites[i]()
	}
	return heapLayers[(i+d)&7](d-1, i)
}

//go:noinline
func hlAuth(d, i int) any {
	if d <= 0 {
		return sites[i]()
	}
	return heapLayers[(i+d)&7](d-1, i)
}

//go:noinline
func hlQuery(d, i int) any {
	if d <= 0 {
		return sites[i]()
	}
	return heapLayers[(i+d)&7](d-1, i)
}

//go:noinline
func hlMerge(d, i int) any {
	if d <= 0 {
		return sites[i]()
	}
	return heapLayers[(i+d)&7](d-1, i)
}

//go:noinline
func hlEncode(d, i int) any {
	if d <= 0 {
		return sites[i]()
	}
	return heapLayers[(i+d)&7](d-1, i)
}

//go:noinline
func hlFlush(d, i int) any {
	if d <= 0 {
		return sites[i]()
	}
	return heapLayers[(i+d)&7](d-1, i)
}

// siteDepth is the number of layer frames above site i (0–56).
func siteDepth(i int) int { return (i * 37) % 57 }

//go:noinline
func driveSite(i int) any { return heapLayers[i&7](siteDepth(i), i) }

// driveSiteAlt reaches the same site through a shorter chain, so some sites
// have two stacks.
//
//go:noinline
func driveSiteAlt(i int) any { return heapLayers[(i+3)&7](siteDepth(i)/2, i) }

// heapState holds what the sites' retention policies keep alive.
//
//	i%10 == 0  leak:     every object is kept forever (grows every tick)
//	i%10 == 1  plateau:  kept during the first quarter of the run, then dropped
//	                     on allocation (grows, then flat)
//
// (In runs longer than 120 ticks, the leak and plateau sites keep the objects
// of one tick in every ticks/120, so that the memory the process holds at the
// end, and the heap profiles' sizes, stay those of a 120-tick run.)
//	i%10 == 2  ring:     the last 8 objects are kept (flat after warm-up)
//	otherwise  churn:    only the latest object is kept (flat)
type heapState struct {
	ticks  int
	every  int // leak and plateau sites keep objects of ticks t%every == 0
	leaked [][]any
	ring   [][8]any
	last   []any
	n      int
}

func newHeapState(ticks int) *heapState {
	return &heapState{
		ticks:  ticks,
		every:  max(1, ticks/120),
		leaked: make([][]any, len(sites)),
		ring:   make([][8]any, len(sites)),
		last:   make([]any, len(sites)),
	}
}

// tick runs every site once or a few times.
func (h *heapState) tick(t int) {
	for i := range sites {
		n := 1 + i%3
		if i%10 == 0 {
			n = 1 + i%4
		}
		for k := 0; k < n; k++ {
			var obj any
			if i%5 == 0 && k == 1 {
				obj = driveSiteAlt(i)
			} else {
				obj = driveSite(i)
			}
			h.retain(i, t, obj)
			h.n++
		}
	}
}

func (h *heapState) retain(i, t int, obj any) {
	kept := t%h.every == 0
	switch {
	case i%10 == 0 && kept:
		h.leaked[i] = append(h.leaked[i], obj)
	case i%10 == 1 && kept:
		if t < h.ticks/4 {
			h.leaked[i] = append(h.leaked[i], obj)
		}
	case i%10 <= 2:
		h.ring[i][h.n&7] = obj
	default:
		h.last[i] = obj
	}
}
