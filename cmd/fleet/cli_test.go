package main

import (
	"testing"

	"log-archive/internal/cliflags/cliflagstest"
	"log-archive/internal/testfixture"

	"github.com/stretchr/testify/require"
)

// The conventions of internal/cliflags, for fleet and each of its subcommands.
func TestCLI_HelpUsageErrorsAndExitCodes(t *testing.T) {
	cases := []cliflagstest.Case{
		{Name: "help", Args: []string{"--help"}, Code: 0, Stdout: []string{"fleet COMMAND", "Commands:\n", "  rollout  "}},
		{Name: "help command", Args: []string{"help"}, Code: 0, Stdout: []string{"  verify  "}},
		{Name: "no command", Args: nil, Code: 2, Stderr: []string{"fleet: give a command\nUsage:"}},
		{Name: "unknown command", Args: []string{"nope"}, Code: 2, Stderr: []string{`fleet: unknown command "nope"`, "Commands:"}},

		{Name: "rollout without stacks", Args: []string{"rollout", "--op", "preview"}, Code: 2, Stderr: []string{"fleet rollout: give one of --stacks", "Usage:\n  fleet rollout --op preview|up"}},
		{Name: "rollout unknown flag", Args: []string{"rollout", "--nope"}, Code: 2, Stderr: []string{"fleet rollout: flag provided but not defined: -nope"}},
		{Name: "rollout stray argument", Args: []string{"rollout", "extra"}, Code: 2, Stderr: []string{`fleet rollout: unexpected argument "extra"`}},
		{Name: "rollout-comment without results", Args: []string{"rollout-comment"}, Code: 2, Stderr: []string{"fleet rollout-comment: give --results DIR"}},
		{Name: "rollout-preflight without repository", Args: []string{"rollout-preflight", "--repo", "x"}, Code: 2, Stderr: []string{"fleet rollout-preflight: give --repo OWNER/REPO"}},
		{Name: "verify bad concurrency", Args: []string{"verify", "--concurrency", "0"}, Code: 2, Stderr: []string{"fleet verify: --concurrency must be at least 1"}},
		{Name: "verify stray argument", Args: []string{"verify", "extra"}, Code: 2, Stderr: []string{`fleet verify: unexpected argument "extra"`}},
		{Name: "offboard without stack", Args: []string{"offboard"}, Code: 2, Stderr: []string{"fleet offboard: give --stack STACK"}},
		{Name: "onboard accounts and ou", Args: []string{"onboard", "--accounts", "a.csv", "--ou", "ou-ab12-11111111"}, Code: 2, Stderr: []string{"fleet onboard: give --accounts or --ou, not both"}},
		{Name: "check unknown flag", Args: []string{"check", "--nope"}, Code: 2, Stderr: []string{"fleet check: flag provided but not defined: -nope"}},
		{Name: "bootstrap-template unknown flag", Args: []string{"bootstrap-template", "--nope"}, Code: 2, Stderr: []string{"fleet bootstrap-template: flag provided but not defined"}},

		{Name: "rollout-comment missing results", Args: []string{"rollout-comment", "--results", "no-such-directory"}, Code: 1, Stderr: []string{"no-such-directory"}},
	}
	for _, sub := range []string{"bootstrap-template", "check", "offboard", "onboard", "rollout", "rollout-comment", "rollout-preflight", "verify"} {
		cases = append(cases, cliflagstest.Case{Name: sub + " help", Args: []string{sub, "--help"}, Code: 0, Stdout: []string{"Usage:\n  fleet " + sub, "Flags:\n"}})
	}
	cliflagstest.Run(t, run, cases)
}

// Every `go run ./cmd/fleet ...` in the workflows and CI scripts gives flags and subcommands that exist.
func TestCLI_ScriptsGiveFlagsThatExist(t *testing.T) {
	invocations := cliflagstest.Invocations(t, testfixture.Root(), "fleet", func(string) string { return "x" })
	require.NotEmpty(t, invocations)
	cliflagstest.KnownFlags(t, run, invocations)
}
