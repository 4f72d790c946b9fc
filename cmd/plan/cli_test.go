package main

import (
	"testing"

	"log-archive/internal/cliflags/cliflagstest"
	"log-archive/internal/testfixture"

	"github.com/stretchr/testify/require"
)

// The conventions of internal/cliflags, for plan and each of its subcommands.
func TestCLI_HelpUsageErrorsAndExitCodes(t *testing.T) {
	cliflagstest.Run(t, run, []cliflagstest.Case{
		{Name: "help", Args: []string{"--help"}, Code: 0, Stdout: []string{"plan --stack NAME", "plan check-public-access", "-stack NAME"}},
		{Name: "help command", Args: []string{"help"}, Code: 0, Stdout: []string{"plan --all"}},
		{Name: "diff help", Args: []string{"diff", "-h"}, Code: 0, Stdout: []string{"-against REV"}},
		{Name: "matrix help", Args: []string{"matrix", "--help"}, Code: 0, Stdout: []string{"-kind KIND"}},
		{Name: "deployer-policy help", Args: []string{"deployer-policy", "--help"}, Code: 0, Stdout: []string{"-boundary"}},
		{Name: "limits help", Args: []string{"limits", "--help"}, Code: 0, Stdout: []string{"plan limits --stack NAME"}},
		{Name: "check-public-access help", Args: []string{"check-public-access", "--help"}, Code: 0, Stdout: []string{"-print DIR"}},
		{Name: "matrix", Args: []string{"matrix", "--dir", "../.."}, Code: 0, Stdout: []string{"destination"}},

		{Name: "no stack", Args: nil, Code: 2, Stderr: []string{"plan: give --stack NAME or --all\nUsage:\n  plan --stack NAME", "plan --help lists every flag"}},
		{Name: "unknown flag", Args: []string{"--nope"}, Code: 2, Stderr: []string{"plan: flag provided but not defined: -nope"}},
		{Name: "unknown stack", Args: []string{"--stack", "nope", "--dir", "../.."}, Code: 2, Stderr: []string{`plan: no stack "nope"`, "the stacks are: "}},
		{Name: "stray argument", Args: []string{"--all", "extra"}, Code: 2, Stderr: []string{`plan: unexpected argument "extra"`}},
		{Name: "diff without revision", Args: []string{"diff"}, Code: 2, Stderr: []string{"plan diff: give --against REV", "Usage:\n  plan diff --against REV"}},
		{Name: "matrix bad kind", Args: []string{"matrix", "--kind", "x", "--dir", "../.."}, Code: 2, Stderr: []string{`plan matrix: unknown kind "x"`}},
		{Name: "deployer-policy without stack", Args: []string{"deployer-policy"}, Code: 2, Stderr: []string{"plan deployer-policy: give --stack NAME"}},
		{Name: "limits unknown stack", Args: []string{"limits", "--stack", "nope", "--dir", "../.."}, Code: 2, Stderr: []string{`plan limits: no stack "nope"`}},
		{Name: "check-public-access without stack", Args: []string{"check-public-access"}, Code: 2, Stderr: []string{"plan check-public-access: give --stack NAME"}},

		{Name: "missing directory", Args: []string{"--all", "--dir", "no-such-directory"}, Code: 1, Stderr: []string{"plan: --dir no-such-directory: no such directory"}},
		{Name: "diff unreadable file", Args: []string{"diff", "--base", "no-such.json", "--head", "no-such.json"}, Code: 1, Stderr: []string{"no-such.json"}},
	})
}

// Every `go run ./cmd/plan ...` in the workflows and CI scripts gives flags and subcommands that exist.
func TestCLI_ScriptsGiveFlagsThatExist(t *testing.T) {
	invocations := cliflagstest.Invocations(t, testfixture.Root(), "plan", func(string) string { return "x" })
	require.NotEmpty(t, invocations)
	cliflagstest.KnownFlags(t, run, invocations)
}
