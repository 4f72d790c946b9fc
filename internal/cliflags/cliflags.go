// Package cliflags is the flag handling and usage every command of the project shares (cmd/plan, cmd/verify,
// cmd/backfill, cmd/fleet):
//
//   - the usage is the synopsis ("Usage:" and the command lines, up to the first blank line), what the command
//     does, then "Flags:" and the flags; a command with subcommands lists them under "Commands:";
//   - -h, --help (and `help` for a command with subcommands) print the usage on stdout and exit 0;
//   - a usage error prints "NAME: the error", the synopsis and where the flags are on stderr, and exits 2;
//   - a run failure exits 1 (the commands return it themselves).
package cliflags

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit statuses of every command.
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
)

// New is a flag set whose usage is the header (synopsis, description, ending with "Flags:\n"), then the flags.
func New(name, header string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), header)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args; done is true when the command must stop with code: 0 after --help or -h (the usage on
// stdout), 2 after a bad flag or a stray argument (the message and the synopsis on stderr).
func Parse(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, done bool) {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		fs.SetOutput(out)
		return ExitOK, true
	case err != nil:
		return UsageError(fs, err.Error()), true
	case fs.NArg() > 0:
		return UsageError(fs, fmt.Sprintf("unexpected argument %q", fs.Arg(0))), true
	}
	return ExitOK, false
}

// UsageError prints "NAME: msg", the synopsis and where the flags are to the flag set's output (stderr), and
// returns the usage exit status, 2.
func UsageError(fs *flag.FlagSet, msg string) int {
	out := fs.Output()
	var usage strings.Builder
	fs.SetOutput(&usage)
	fs.Usage()
	fs.SetOutput(out)
	fmt.Fprintf(out, "%s: %s\n%s(%s --help lists every flag)\n", fs.Name(), msg, Synopsis(usage.String()), fs.Name())
	return ExitUsage
}

// Synopsis is the first paragraph of a usage header (the "Usage:" lines), with its line end.
func Synopsis(header string) string {
	if i := strings.Index(header, "\n\n"); i >= 0 {
		return header[:i+1]
	}
	if s, ok := strings.CutSuffix(header, "Flags:\n"); ok {
		return s
	}
	return header
}

// Subcommand is one `NAME SUB ...` command: it parses its own flags and returns the exit status.
type Subcommand struct {
	Name    string
	Summary string
	Run     func(args []string, stdout, stderr io.Writer) int
}

// Dispatch runs the subcommand args[0] names; ok is false when args is empty or args[0] names none, for the
// caller to run the command's own flags (plan) or to call Commands (fleet).
func Dispatch(subs []Subcommand, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	for _, s := range subs {
		if s.Name == args[0] {
			return s.Run(args[1:], stdout, stderr), true
		}
	}
	return 0, false
}

// Commands runs a command made only of subcommands: the subcommand args[0] names; the usage on stdout for
// help, -h or --help (exit 0); a usage error for no command or an unknown one (exit 2).
func Commands(name string, subs []Subcommand, args []string, stdout, stderr io.Writer) int {
	if code, ok := Dispatch(subs, args, stdout, stderr); ok {
		return code
	}
	switch {
	case len(args) == 0:
		fmt.Fprintf(stderr, "%s: give a command\n%s", name, commandsUsage(name, subs))
		return ExitUsage
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		fmt.Fprint(stdout, commandsUsage(name, subs))
		return ExitOK
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n%s", name, args[0], commandsUsage(name, subs))
	return ExitUsage
}

// commandsUsage is the usage of a command made of subcommands: its synopsis, then a line per subcommand.
func commandsUsage(name string, subs []Subcommand) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage:\n  %s COMMAND [flags]\n\n%s COMMAND --help lists the flags of COMMAND.\n\nCommands:\n", name, name)
	for _, s := range subs {
		fmt.Fprintf(&b, "  %-18s %s\n", s.Name, s.Summary)
	}
	return b.String()
}
