package main

import (
	"context"
	"errors"
	"io"
)

func supplierCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("supplier: not implemented yet")
}
