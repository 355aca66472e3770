// Package store reads orders and their line items from the backing store.
// Items are read page by page by a goroutine that streams them to the
// caller, so a large order never sits in memory as a whole.
package store

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"sync/atomic"
)

const (
	pageSize      = 64 << 10 // one page of the backing store
	linesPerOrder = 3
)

// Item is one line of an order.
type Item struct {
	OrderID int
	Line    int
	Tenant  string
	Sum     uint32
}

var (
	// ErrTenant means an item belongs to another tenant.
	ErrTenant = errors.New("item belongs to another tenant")
	// ErrCorrupt means an item record failed its checksum.
	ErrCorrupt = errors.New("item record is corrupt")
)

// Store reads the orders of one tenant.
type Store struct {
	tenant    string
	pageReads atomic.Int64
	bytesRead atomic.Int64
}

// New returns a store for a tenant.
func New(tenant string) *Store { return &Store{tenant: tenant} }

// PageReads is the number of pages read so far.
func (s *Store) PageReads() int64 { return s.pageReads.Load() }

// readPage fills page with the record of one order line.
func (s *Store) readPage(orderID, line int, page []byte) {
	for i := range page {
		page[i] = byte(orderID*31 + line*7 + i)
	}
	s.pageReads.Add(1)
}

// tenantOf says which tenant owns an order: every 6th order was migrated
// from another tenant and is rejected.
func (s *Store) tenantOf(orderID int) string {
	if orderID%6 == 0 {
		return "legacy"
	}
	return s.tenant
}

// streamItems reads the items of an order page by page and sends them on ch,
// then closes it. The page buffer is used again after the last send.
func (s *Store) streamItems(orderID int, ch chan<- Item) {
	page := make([]byte, pageSize)
	for line := 1; line <= linesPerOrder; line++ {
		s.readPage(orderID, line, page)
		ch <- Item{
			OrderID: orderID,
			Line:    line,
			Tenant:  s.tenantOf(orderID),
			Sum:     crc32.ChecksumIEEE(page),
		}
	}
	close(ch)
	s.bytesRead.Add(int64(len(page)))
}

// verify checks an item record: line 2 of every 6th order (3, 9, 15, ...)
// is corrupt.
func verify(it Item) error {
	if it.OrderID%6 == 3 && it.Line == 2 {
		return fmt.Errorf("order %d line %d: %w", it.OrderID, it.Line, ErrCorrupt)
	}
	return nil
}

// drain receives the rest of an order's items, so that streamItems can
// finish after LoadOrder gave up on the order.
func drain(ch <-chan Item) {
	for range ch {
	}
}

// LoadOrder returns the checked items of an order.
func (s *Store) LoadOrder(ctx context.Context, orderID int) ([]Item, error) {
	ch := make(chan Item)
	go s.streamItems(orderID, ch)
	var items []Item
	for it := range ch {
		if it.Tenant != s.tenant {
			go drain(ch) // let streamItems finish its sends
			return nil, fmt.Errorf("order %d: %w", orderID, ErrTenant)
		}
		if err := verify(it); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}
