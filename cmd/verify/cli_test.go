package main

import (
	"context"
	"io"
	"testing"

	"log-archive/internal/cliflags/cliflagstest"
)

// The conventions of internal/cliflags, for verify.
func TestCLI_HelpUsageErrorsAndExitCodes(t *testing.T) {
	runVerify := func(args []string, stdout, stderr io.Writer) int {
		return run(context.Background(), args, stdout, stderr, defaultDeps())
	}
	cliflagstest.Run(t, runVerify, []cliflagstest.Case{
		{Name: "help", Args: []string{"--help"}, Code: 0, Stdout: []string{"verify --explain REASON", "-source-profile"}},
		{Name: "h", Args: []string{"-h"}, Code: 0, Stdout: []string{"Permissions it needs"}},
		{Name: "explain", Args: []string{"--explain", "DstKmsKeyNotFound"}, Code: 0},

		{Name: "no flags", Args: nil, Code: 2, Stderr: []string{"verify: give exactly one of --source-outputs FILE and --source-stack NAME\nUsage:\n  verify (--source-outputs FILE", "verify --help lists every flag"}},
		{Name: "unknown flag", Args: []string{"--nope"}, Code: 2, Stderr: []string{"verify: flag provided but not defined: -nope"}},
		{Name: "stray argument", Args: []string{"extra"}, Code: 2, Stderr: []string{`verify: unexpected argument "extra"`}},
		{Name: "bad prefix", Args: []string{"--prefix", "no-equals-sign"}, Code: 2, Stderr: []string{"want BUCKET=PREFIX"}},

		{Name: "missing outputs file", Args: []string{"--source-outputs", "no-such.json", "--archive-outputs", "no-such.json"}, Code: 1, Stderr: []string{"verify: open no-such.json"}},
	})
}
