package store

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"

	"github.com/klauspost/compress/s2"
)

// Records are compressed with a dictionary: S2 finds most of a record — member names, the
// policy's legal references and sources, flags' messages — in a sample of earlier records
// instead of writing it again. The benchmark quote's record is stored in 404 bytes instead of
// 3,638 as an S2 stream without one (BenchmarkQuoteRecord), the seeded market's in about 400
// instead of about 3,400 (TestRecordDictCompresses), and the bytes written per quote are what
// the SQLite writer and its checkpoints spend their time on (docs/performance.md).
//
// The stored form: byte 0xfe, the dictionary's number, the CRC-32C of the record's JSON
// (4 bytes, little-endian: an S2 block has no checksum of its own, the S2 streams of earlier
// releases had one), then an S2 block compressed with that dictionary. 0xfe cannot begin a
// DEFLATE stream (block type 3, reserved) nor an S2 stream (0xff), the forms earlier
// releases wrote, which are read as before.
//
// A dictionary records were written with never changes: it is embedded, frozen by its
// SHA-256 (TestRecordDictionariesAreFrozen), and read for as long as such records are. A new
// one (TestMakeRecordDict makes one from the seeded market) takes the next number and
// becomes recordDictID; the old ones stay in recordDicts.
const s2DictRecordStart = 0xfe

// recordDictID is the dictionary new records are compressed with.
const recordDictID = 1

//go:embed quote_record_dict1.bin
var recordDict1 []byte

// recordDictFiles are the embedded dictionaries, by number, as stored in the binary: a new
// one is added here alone.
var recordDictFiles = map[byte][]byte{1: recordDict1}

// recordDicts are the dictionaries records are read with, by number.
var recordDicts = func() map[byte]*s2.Dict {
	m := make(map[byte]*s2.Dict, len(recordDictFiles))
	for id, b := range recordDictFiles {
		m[id] = mustDict(b)
	}
	return m
}()

func mustDict(b []byte) *s2.Dict {
	d := s2.NewDict(b)
	if d == nil {
		panic("store: an embedded record dictionary does not read")
	}
	return d
}

// crc32c is the Castagnoli table (computed in hardware where the CPU has it).
var crc32c = crc32.MakeTable(crc32.Castagnoli)

// dictRecordHeader is the length of the stored form's header: marker, number, CRC-32C.
const dictRecordHeader = 6

// appendDictRecord appends the stored form of the record js to dst, compressed with the
// current dictionary.
func appendDictRecord(dst, js []byte) []byte {
	dst = append(dst, s2DictRecordStart, recordDictID)
	dst = binary.LittleEndian.AppendUint32(dst, crc32.Checksum(js, crc32c))
	n := len(dst)
	room := s2.MaxEncodedLen(len(js))
	dst = slices.Grow(dst, room)
	block := recordDicts[recordDictID].Encode(dst[n:n+room], js) // within dst's capacity: no copy
	return dst[:n+len(block)]
}

// errUnknownDict: a record compressed with a dictionary this release does not have (written
// by a later one).
var errUnknownDict = errors.New("the record is compressed with a dictionary this release does not have; read it with the release that wrote it or a later one")

// appendDictRecordJSON appends the JSON of the stored form b (which starts with
// s2DictRecordStart) to dst.
func appendDictRecordJSON(dst, b []byte) ([]byte, error) {
	if len(b) < dictRecordHeader {
		return dst, errors.New("a dictionary record shorter than its header")
	}
	d := recordDicts[b[1]]
	if d == nil {
		return dst, fmt.Errorf("dictionary %d: %w", b[1], errUnknownDict)
	}
	sum, block := binary.LittleEndian.Uint32(b[2:6]), b[dictRecordHeader:]
	size, err := s2.DecodedLen(block)
	if err != nil {
		return dst, err
	}
	n := len(dst)
	dst = slices.Grow(dst, size)
	js, err := d.Decode(dst[n:n+size], block)
	if err != nil {
		return dst[:n], err
	}
	if crc32.Checksum(js, crc32c) != sum {
		return dst[:n], errors.New("the record's checksum does not match: it is damaged")
	}
	return dst[:n+len(js)], nil
}
