// Package cliflags is the flag handling every command of the project shares: the usage goes to stdout for
// --help (exit 0) and to stderr after a usage error (exit 2), as the flag package's own would not.
package cliflags

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// New is a flag set whose usage is the header, then the flags.
func New(name, header string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), header)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args; done is true when the command must stop with code: 0 after --help or -h, 2 after a bad
// flag or a stray argument (the message says which).
func Parse(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, done bool) {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return 0, true
	case err != nil:
		return UsageError(fs, err.Error()), true
	case fs.NArg() > 0:
		return UsageError(fs, fmt.Sprintf("unexpected argument %q", fs.Arg(0))), true
	}
	return 0, false
}

// UsageError prints msg and the usage to the flag set's output and returns the usage exit status, 2.
func UsageError(fs *flag.FlagSet, msg string) int {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), msg)
	fs.Usage()
	return 2
}
