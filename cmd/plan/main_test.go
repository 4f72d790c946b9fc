package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const root = "../.."

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
