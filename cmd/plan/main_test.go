package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/testfixture"
)

// root is a project with the fixture stack files (testfixture): these tests assert the example's stack
// names, which the repository's own stack files, the user's, need not keep.
var root string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "plan-cmd-fixture-")
	if err == nil {
		err = testfixture.Copy(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	root = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestRun_TextPlan(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"--dir", root, "--stack", "destination"}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "Policy sizes")
}

func TestRun_JSONAll(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"--dir", root, "--all", "--json"}, &out, &errOut), errOut.String())
	var doc struct {
		Stacks map[string]struct {
			Steps   []map[string]any `json:"steps"`
			Outputs map[string]any   `json:"outputs"`
		} `json:"stacks"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	assert.Contains(t, doc.Stacks, "destination")
	assert.Contains(t, doc.Stacks, "source")
	assert.NotEmpty(t, doc.Stacks["source"].Steps)
}

func TestRun_UsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"--stack", "a", "--all"}, {"--bogus"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(append([]string{"--dir", root}, args...), &out, &errOut), "%v", args)
	}
}

func TestRun_BadStackFailsWithTheConfigError(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), b, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.broken.yaml"), []byte("config:\n  log-archive:stackKind: destination\n"), 0o600))
	var out, errOut bytes.Buffer
	assert.Equal(t, 1, run([]string{"--dir", dir, "--stack", "broken"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "Pulumi.broken.yaml: log-archive:archiveAccountId is not set")
	assert.Empty(t, out.String())
}

func TestRun_HelpExitsZeroAndListsEverything(t *testing.T) {
	tests := []struct {
		args    []string
		want    []string
		notWant []string
	}{
		{[]string{"--help"}, []string{"plan diff", "plan matrix", "-stack NAME", "-dir DIR", "\n  -json\n", "\n  -all\n"}, []string{"-json pulumi"}},
		{[]string{"-h"}, []string{"plan diff", "plan matrix"}, nil},
		{[]string{"help"}, []string{"plan diff", "plan matrix"}, nil},
		{[]string{"diff", "--help"}, []string{"-against REV", "-base FILE", "-head FILE", "-head-error FILE", "\n  -rendered-by-base\n"}, nil},
		{[]string{"matrix", "-h"}, []string{"-kind KIND", "destination or source", "previewRole"}, nil},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		require.Equal(t, 0, run(tt.args, &out, &errOut), "%v: %s", tt.args, errOut.String())
		for _, w := range tt.want {
			assert.Contains(t, out.String(), w, "%v", tt.args)
		}
		for _, w := range tt.notWant {
			assert.NotContains(t, out.String(), w, "%v", tt.args)
		}
	}
}

func TestRun_UnknownStackListsTheKnownOnes(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run([]string{"--dir", root, "--stack", "nope"}, &out, &errOut))
	assert.Contains(t, errOut.String(), `no stack "nope"`)
	assert.Contains(t, errOut.String(), "the stacks are: destination, ")
}

func TestRun_MissingDirSaysSo(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere")
	for _, args := range [][]string{{"--all"}, {"--stack", "destination"}, {"matrix"}, {"diff", "--against", "main"}} {
		var out, errOut bytes.Buffer
		args = append(args, "--dir", missing)
		assert.Equal(t, 1, run(args, &out, &errOut), "%v", args)
		assert.Contains(t, errOut.String(), "--dir "+missing+": no such directory", "%v", args)
		assert.NotContains(t, errOut.String(), "<nil>")
	}
	var out, errOut bytes.Buffer
	assert.Equal(t, 1, run([]string{"--all", "--dir", t.TempDir()}, &out, &errOut))
	assert.Contains(t, errOut.String(), "no Pulumi.yaml there")
}

func TestRun_MatrixRejectsAnUnknownKind(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run([]string{"matrix", "--dir", root, "--kind", "bogus"}, &out, &errOut))
	assert.Contains(t, errOut.String(), `unknown kind "bogus"; give destination or source`)
	assert.Empty(t, out.String())
}

func TestRun_DiffUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"--base", "b.json"}, {"--base", "b", "--head", "h", "--head-error", "e"}, {"--against", "main", "--head", "h"}, {"--bogus"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(append([]string{"diff"}, args...), &out, &errOut), "%v", args)
	}
}

func TestRun_DiffHeadError(t *testing.T) {
	errFile := filepath.Join(t.TempDir(), "err.txt")
	require.NoError(t, os.WriteFile(errFile, []byte("main.go:1: want ```x```\n"), 0o600))
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"diff", "--base", "missing.json", "--head-error", errFile, "--rendered-by-base"}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "````\nmain.go:1: want ```x```\n````\n")
	assert.Contains(t, out.String(), "written by the base's `plan diff`")
}

func TestRun_Limits(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"limits", "--dir", root, "--stack", "destination", "--json"}, &out, &errOut), errOut.String())
	var got struct {
		Stack      string `json:"stack"`
		Listed     int    `json:"listedAccounts"`
		Max        int    `json:"maxListedAccounts"`
		PerAccount int    `json:"bytesPerAccount"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	assert.Equal(t, "destination", got.Stack)
	assert.Equal(t, 2, got.Listed)
	assert.Greater(t, got.Max, 1200, "the fixed-list scheme holds at least 1,200 accounts")
	assert.Equal(t, 15, got.PerAccount)

	out.Reset()
	errOut.Reset()
	assert.Equal(t, 0, run([]string{"limits", "--help"}, &out, &errOut))
	assert.Contains(t, out.String()+errOut.String(), "plan limits --stack NAME")
	assert.Equal(t, 1, run([]string{"limits", "--dir", root, "--stack", "source"}, &out, &errOut), "not a destination stack")
	assert.Equal(t, 2, run([]string{"limits", "--dir", root, "--stack", "nope"}, &out, &errOut))
}

// A stack file's name works as the stack's: --stack Pulumi.destination.yaml plans destination.
func TestRun_StackFileNameIsTheStack(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"--dir", root, "--stack", "Pulumi.destination.yaml"}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "Stack destination")
}
