package cliflags_test

import (
	"fmt"
	"io"
	"testing"

	"log-archive/internal/cliflags"
	"log-archive/internal/cliflags/cliflagstest"
)

const header = `Usage:
  demo --name NAME [--fail]

Greets NAME. The description is printed by --help only.

Flags:
`

func demo(args []string, stdout, stderr io.Writer) int {
	fs := cliflags.New("demo", header, stderr)
	name := fs.String("name", "", "who to greet, `NAME`")
	fail := fs.Bool("fail", false, "fail")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	if *name == "" {
		return cliflags.UsageError(fs, "give --name NAME")
	}
	if *fail {
		fmt.Fprintln(stderr, "demo: it failed")
		return cliflags.ExitFail
	}
	fmt.Fprintf(stdout, "hello %s\n", *name)
	return cliflags.ExitOK
}

func TestCommand(t *testing.T) {
	cliflagstest.Run(t, demo, []cliflagstest.Case{
		{Name: "ok", Args: []string{"--name", "x"}, Code: 0, Stdout: []string{"hello x"}},
		{Name: "help", Args: []string{"--help"}, Code: 0, Stdout: []string{"Greets NAME", "-name NAME"}},
		{Name: "h", Args: []string{"-h"}, Code: 0, Stdout: []string{"Greets NAME"}},
		{Name: "missing flag", Args: nil, Code: 2, Stderr: []string{"demo: give --name NAME\nUsage:\n  demo --name NAME [--fail]\n(demo --help lists every flag)\n"}},
		{Name: "unknown flag", Args: []string{"--nope"}, Code: 2, Stderr: []string{"demo: flag provided but not defined: -nope\nUsage:"}},
		{Name: "stray argument", Args: []string{"--name", "x", "extra"}, Code: 2, Stderr: []string{`demo: unexpected argument "extra"`}},
		{Name: "failure", Args: []string{"--name", "x", "--fail"}, Code: 1, Stderr: []string{"demo: it failed"}},
	})
}

func TestCommands(t *testing.T) {
	subs := []cliflags.Subcommand{{Name: "greet", Summary: "greets", Run: demo}}
	run := func(args []string, stdout, stderr io.Writer) int {
		return cliflags.Commands("multi", subs, args, stdout, stderr)
	}
	cliflagstest.Run(t, run, []cliflagstest.Case{
		{Name: "subcommand", Args: []string{"greet", "--name", "x"}, Code: 0, Stdout: []string{"hello x"}},
		{Name: "subcommand help", Args: []string{"greet", "-h"}, Code: 0, Stdout: []string{"Greets NAME"}},
		{Name: "help", Args: []string{"help"}, Code: 0, Stdout: []string{"multi COMMAND", "  greet              greets\n"}},
		{Name: "--help", Args: []string{"--help"}, Code: 0, Stdout: []string{"Commands:"}},
		{Name: "no command", Args: nil, Code: 2, Stderr: []string{"multi: give a command\nUsage:"}},
		{Name: "unknown command", Args: []string{"nope"}, Code: 2, Stderr: []string{`multi: unknown command "nope"`, "greet"}},
		{Name: "subcommand usage error", Args: []string{"greet"}, Code: 2, Stderr: []string{"demo: give --name NAME"}},
	})
}

func TestSynopsis(t *testing.T) {
	for in, want := range map[string]string{
		header:                       "Usage:\n  demo --name NAME [--fail]\n",
		"Usage: x [flags]\nFlags:\n": "Usage: x [flags]\n",
		"Usage: x [flags]\n":         "Usage: x [flags]\n",
	} {
		if got := cliflags.Synopsis(in); got != want {
			t.Errorf("Synopsis(%q) = %q, want %q", in, got, want)
		}
	}
}
