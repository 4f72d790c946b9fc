package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/cliflags/cliflagstest"
	"log-archive/internal/testfixture"
)

// Every bad invocation is refused before any stack runs, with exit status 2 and what to give instead.
func TestRollout_RefusesBadFlags(t *testing.T) {
	dir := testfixture.Project(t)
	list := filepath.Join(t.TempDir(), "stacks.txt")
	assert.NoError(t, os.WriteFile(list, []byte("# the fleet\nsource\n\n"), 0o644))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no stacks", []string{"--op", "up"}, "give one of --stacks a,b,c, --stacks-file FILE or --all"},
		{"both lists", []string{"--op", "up", "--stacks", "source", "--stacks-file", list}, "give one of --stacks a,b,c, --stacks-file FILE or --all"},
		{"all and a list", []string{"--op", "preview", "--all", "--stacks", "source"}, "give one of --stacks a,b,c, --stacks-file FILE or --all"},
		{"missing list file", []string{"--op", "up", "--stacks-file", filepath.Join(dir, "nope.txt")}, "--stacks-file: open"},
		{"bad tolerance", []string{"--op", "up", "--stacks", "source", "--failure-tolerance", "ten"}, `failure tolerance "ten": give a count (0, 1, ...) or a percentage from 0% to 100%`},
		{"bad role kind", []string{"--op", "up", "--stacks", "source", "--assume-role", "admin"}, `--assume-role "admin": give deploy or preview`},
		{"bad op", []string{"--op", "destroy", "--stacks-file", list}, `op "destroy": give preview or up`},
		{"unknown stack", []string{"--op", "preview", "--stacks", "source,prod"}, "no stack file Pulumi.<stack>.yaml with an entry in .github/stacks.yaml for prod"},
		{"drift check of an up", []string{"--op", "up", "--stacks", "source", "--expect-no-changes"}, "expect-no-changes checks a preview: use it with op preview"},
		{"an argument", []string{"--op", "up", "--stacks", "source", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, 2, run(append(append([]string{"rollout"}, tt.args...), "--dir", dir), &stdout, &stderr))
			assert.Contains(t, stderr.String(), tt.want)
			assert.Contains(t, stderr.String(), "Usage:\n  fleet rollout --op preview|up")
		})
	}
}

// --all is every stack of .github/stacks.yaml, at fleet size: the archive and 1,200 sources.
func TestRollout_AllIsEveryStackInStacksYAML(t *testing.T) {
	dir := testfixture.Project(t)
	require.NoError(t, testfixture.WriteFleet(dir, 1200, 10))
	var stdout, stderr bytes.Buffer
	req, code, done := parseRollout([]string{"--op", "preview", "--all", "--refresh", "--expect-no-changes", "--dir", dir}, &stdout, &stderr)
	require.False(t, done, "exit %d: %s", code, stderr.String())
	assert.Len(t, req.opts.Stacks, 1201)
	assert.Contains(t, req.opts.Stacks, "destination")
	assert.Contains(t, req.opts.Stacks, testfixture.FleetSource(1200))
	assert.True(t, req.opts.Refresh)
	assert.True(t, req.opts.ExpectNoChanges)
}

// Every fleet rollout the workflows run is a valid command line: it names its stacks and every flag
// parses (a drift check without --all once failed every day with a usage error). Shell variables are
// given values a run would give them; the stacks are the fixture project's.
func TestRollout_EveryWorkflowCommandLineParses(t *testing.T) {
	dir := testfixture.Project(t)
	vars := map[string]string{"STACKS": "destination,source", "SINCE": "HEAD^1", "TOLERANCE": "10%", "SHARD": "sources-001"}
	value := func(v string) string {
		val, ok := vars[v]
		require.True(t, ok, "give the test a value for $%s", v)
		return val
	}
	invocations := cliflagstest.Invocations(t, testfixture.Root(), "fleet rollout", value)
	for _, inv := range invocations {
		var stdout, stderr bytes.Buffer
		_, code, done := parseRollout(append(inv.Args, "--dir", dir), &stdout, &stderr)
		assert.False(t, done, "%s: %q exits %d: %s", inv.File, inv.Line, code, stderr.String())
	}
	assert.GreaterOrEqual(t, len(invocations), 6, "the pull-request previews, the deploys and the drift check")
}

func TestRolloutComment_ComposesFromResultFiles(t *testing.T) {
	dir := t.TempDir()
	assert.NoError(t, os.MkdirAll(filepath.Join(dir, "preview-sources-001"), 0o755))
	assert.NoError(t, os.WriteFile(filepath.Join(dir, "preview-sources-001", "sources-001.json"), []byte(`{"op":"preview","results":[
		{"stack":"web","wave":"sources","status":"ok","changes":{"update":1},"diff":"~ tags"},
		{"stack":"data","wave":"sources","status":"ok"}]}`), 0o644))
	assert.NoError(t, os.WriteFile(filepath.Join(dir, "destination-001.json"), []byte(`{"op":"preview","results":[{"stack":"destination","wave":"destination","status":"failed","error":"AccessDenied"}]}`), 0o644))
	matrix := filepath.Join(t.TempDir(), "sources.json")
	assert.NoError(t, os.WriteFile(matrix, []byte(`{"include":[{"shard":"sources-001","stacks":"web,data"},{"shard":"sources-002","stacks":"lab"}]}`), 0o644))
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 0, run([]string{"rollout-comment", "--results", dir, "--matrix", matrix, "--more", "See the run."}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "### Pulumi preview: 4 stacks, 1 with changes, 2 failed")
	assert.Contains(t, stdout.String(), "- `lab`: not previewed: the job of shard sources-002 ended before its preview did; see its log")
	assert.Contains(t, stdout.String(), "- `destination`: AccessDenied")
	assert.Contains(t, stdout.String(), "\nSee the run.\n")

	assert.NoError(t, os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{`), 0o644))
	stdout.Reset()
	assert.Equal(t, 1, run([]string{"rollout-comment", "--results", dir}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "broken.json: unexpected end of JSON input")
}
