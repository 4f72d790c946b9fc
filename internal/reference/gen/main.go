// Command gen rewrites the generated blocks of the repository's files (internal/reference).
package main

import (
	"fmt"
	"os"

	"log-archive/internal/reference"
)

func main() {
	if err := reference.Rewrite(reference.Root()); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
