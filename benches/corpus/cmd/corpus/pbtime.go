package main

// Setting a heap profile's own time. With -interval the file names carry a
// logical time (a day in minutes), but the runtime stamps each profile with
// the wall clock (field 9, time_nanos, of perftools.profiles.Profile): the
// two would disagree and a reader would place heap and goroutine snapshots
// days apart. setProfileTime rewrites that one field of the gzip protobuf.

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"
)

// setProfileTime rewrites the gzip-compressed profile at path with
// time_nanos = t.
func setProfileTime(path string, t time.Time) (int64, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return 0, err
	}
	pb, err := io.ReadAll(zr)
	if err != nil {
		return 0, err
	}
	out := make([]byte, 0, len(pb)+16)
	for i := 0; i < len(pb); {
		key, n := binary.Uvarint(pb[i:])
		if n <= 0 {
			return 0, fmt.Errorf("%s: bad protobuf key at %d", path, i)
		}
		start := i
		i += n
		switch key & 7 {
		case 0:
			_, m := binary.Uvarint(pb[i:])
			if m <= 0 {
				return 0, fmt.Errorf("%s: bad varint at %d", path, i)
			}
			i += m
		case 1:
			i += 8
		case 2:
			l, m := binary.Uvarint(pb[i:])
			if m <= 0 {
				return 0, fmt.Errorf("%s: bad length at %d", path, i)
			}
			i += m + int(l)
		case 5:
			i += 4
		default:
			return 0, fmt.Errorf("%s: wire type %d at %d", path, key&7, start)
		}
		if i > len(pb) {
			return 0, fmt.Errorf("%s: field runs past the end", path)
		}
		if key>>3 != 9 { // every field but time_nanos as it is
			out = append(out, pb[start:i]...)
		}
	}
	out = binary.AppendUvarint(out, 9<<3)
	out = binary.AppendUvarint(out, uint64(t.UnixNano()))
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(out); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return 0, err
	}
	return int64(buf.Len()), nil
}
