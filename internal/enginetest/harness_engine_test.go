//go:build engine

package enginetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optremove"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

const (
	// project is the name in Pulumi.yaml; the inline program must run under it for the stack files to apply.
	project = "log-archive"
	// awsPluginVersion is the version the pulumi-aws v6.83.4 SDK requests (its pulumi-plugin.json). The
	// engine looks for $PULUMI_HOME/plugins/resource-aws-v<version>/pulumi-resource-aws.
	awsPluginVersion = "6.83.4"
	// cliVersion is the CLI tools/pulumi-cli pins. Another version may well work; this is the one tested.
	cliVersion = "v3.259.0"
)

// fakeAWSBinary is the fake provider plugin, built once per test binary by TestMain.
var fakeAWSBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "log-archive-fakeaws-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fakeAWSBinary = filepath.Join(dir, "pulumi-resource-aws")
	build := exec.Command("go", "build", "-o", fakeAWSBinary, "log-archive/internal/enginetest/fakeaws")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the fake aws provider: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	if pulumiRoot != "" {
		_ = os.RemoveAll(pulumiRoot)
	}
	os.Exit(code)
}

var (
	pulumiOnce sync.Once
	pulumiCmd  auto.PulumiCommand
	pulumiErr  error
	pulumiRoot string // removed by TestMain
)

// pulumiCommand is the CLI from $LOG_ARCHIVE_PULUMI (what .ci/engine-test builds) or else from PATH.
func pulumiCommand(t *testing.T) auto.PulumiCommand {
	t.Helper()
	pulumiOnce.Do(func() {
		bin := os.Getenv("LOG_ARCHIVE_PULUMI")
		if bin == "" {
			if bin, pulumiErr = exec.LookPath("pulumi"); pulumiErr != nil {
				pulumiErr = fmt.Errorf("no pulumi CLI: set LOG_ARCHIVE_PULUMI or run `bash .ci/engine-test`, which builds %s: %w", cliVersion, pulumiErr)
				return
			}
		}
		// The Automation API runs <Root>/bin/pulumi, so give it a root whatever the binary's directory is.
		root, err := os.MkdirTemp("", "log-archive-pulumi-root-")
		if err != nil {
			pulumiErr = err
			return
		}
		pulumiRoot = root
		abs, err := filepath.Abs(bin)
		if err != nil {
			pulumiErr = err
			return
		}
		if pulumiErr = os.Mkdir(filepath.Join(root, "bin"), 0o755); pulumiErr != nil {
			return
		}
		if pulumiErr = os.Symlink(abs, filepath.Join(root, "bin", "pulumi")); pulumiErr != nil {
			return
		}
		pulumiCmd, pulumiErr = auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root})
	})
	require.NoError(t, pulumiErr)
	return pulumiCmd
}

// Env is one isolated Pulumi world: a private PULUMI_HOME holding only the fake aws plugin, a file
// backend, a copy of the project's Pulumi.yaml and stack files, and the fake AWS's records.
type Env struct {
	t       *testing.T
	WorkDir string // the project copy: Pulumi.yaml and Pulumi.<stack>.yaml
	AWSDir  string // what exists in the fake AWS, one JSON record per resource
	envVars map[string]string
}

// NewEnv sets up an Env under t.TempDir() with the fixture stack files (testdata/stacks): scenarios that
// need particular values (accounts, bucket names) never depend on the user's own stack files.
func NewEnv(t *testing.T) *Env {
	t.Helper()
	return newEnv(t, testfixture.Project(t))
}

// NewEnvFromRepository sets up an Env with the repository's own stack files, whatever the user made of them.
// The test's backend is a local file backend, where every stack is organization/<project>/<stack>; a
// stack file written for Pulumi Cloud names the user's own organization in log-archive:destinationStack,
// which is rewritten to "organization" in the copy (the files in the repository stay as they are).
func NewEnvFromRepository(t *testing.T) *Env {
	t.Helper()
	e := newEnv(t, testfixture.Root())
	files, err := filepath.Glob(filepath.Join(e.WorkDir, "Pulumi.*.yaml"))
	require.NoError(t, err)
	ref := regexp.MustCompile(`(?m)^(\s*log-archive:destinationStack:\s*["']?)[^/\s"']+/([^/\s"']+/[^/\s"']+["']?\s*)$`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(f, ref.ReplaceAll(data, []byte("${1}organization/${2}")), 0o644))
	}
	return e
}

func newEnv(t *testing.T, project string) *Env {
	t.Helper()
	root := t.TempDir()
	e := &Env{t: t, WorkDir: filepath.Join(root, "project"), AWSDir: filepath.Join(root, "aws")}
	home := filepath.Join(root, "pulumi-home")
	backend := filepath.Join(root, "backend")
	for _, d := range []string{e.WorkDir, e.AWSDir, backend} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	// The engine loads a plugin only without a ".partial" marker beside it (an interrupted install).
	copyFile(t, fakeAWSBinary, filepath.Join(home, "plugins", "resource-aws-v"+awsPluginVersion, "pulumi-resource-aws"), 0o755)

	// Creating a stack writes encryptionsalt into its stack file: run on copies, never the repository's.
	files, err := filepath.Glob(filepath.Join(project, "Pulumi.*yaml"))
	require.NoError(t, err)
	require.Contains(t, files, filepath.Join(project, "Pulumi.yaml"))
	for _, f := range files {
		copyFile(t, f, filepath.Join(e.WorkDir, filepath.Base(f)), 0o644)
	}

	e.envVars = map[string]string{
		"PULUMI_HOME":              home,
		"PULUMI_BACKEND_URL":       "file://" + filepath.ToSlash(backend),
		"PULUMI_CONFIG_PASSPHRASE": "engine-test",
		"PULUMI_SKIP_UPDATE_CHECK": "1",
		// A plugin missing from PULUMI_HOME must fail the test, not start a download.
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"FAKEAWS_STATE_DIR":                           e.AWSDir,
	}
	return e
}

// Stack creates or selects the stack whose file is Pulumi.<name>.yaml in the project copy. Its program is
// program.Run, the function main.go runs, served from this test process (no Go language plugin needed).
func (e *Env) Stack(ctx context.Context, name string) auto.Stack {
	e.t.Helper()
	return e.StackWith(ctx, name, program.Run)
}

// StackWith is Stack with another program, e.g. one that records what program.Run is given.
func (e *Env) StackWith(ctx context.Context, name string, prog func(*pulumi.Context) error) auto.Stack {
	e.t.Helper()
	s, err := auto.UpsertStackInlineSource(ctx, name, project, prog,
		auto.WorkDir(e.WorkDir), auto.Pulumi(pulumiCommand(e.t)), auto.EnvVars(e.envVars))
	require.NoError(e.t, err, "creating stack %s", name)
	return s
}

// RemoveStack runs `pulumi stack rm --force`: the state goes, whatever exists in AWS stays. The CLI also
// deletes Pulumi.<stack>.yaml; the stack file is the user's and lives in git, so it is put back, as
// `git checkout` would.
func (e *Env) RemoveStack(ctx context.Context, s auto.Stack) {
	e.t.Helper()
	file := filepath.Join(e.WorkDir, "Pulumi."+s.Name()+".yaml")
	kept, err := os.ReadFile(file)
	require.NoError(e.t, err)
	require.NoError(e.t, s.Workspace().RemoveStack(ctx, s.Name(), optremove.Force()), "pulumi stack rm %s", s.Name())
	require.NoError(e.t, os.WriteFile(file, kept, 0o644))
}

// Edit rewrites a file of the project copy (a stack file, as a user edits it) and fails the test when the
// edit changes nothing, so a scenario never runs on a file it did not mean to change.
func (e *Env) Edit(file string, edit func(string) string) {
	e.t.Helper()
	path := filepath.Join(e.WorkDir, file)
	data, err := os.ReadFile(path)
	require.NoError(e.t, err)
	changed := edit(string(data))
	require.NotEqual(e.t, string(data), changed, "the edit of %s changed nothing", file)
	require.NoError(e.t, os.WriteFile(path, []byte(changed), 0o644))
}

// TryPreview and TryUp return the CLI's error instead of failing the test.
func (e *Env) TryPreview(ctx context.Context, s auto.Stack) (auto.PreviewResult, error) {
	return s.Preview(ctx, optpreview.ProgressStreams(e.logWriter(s.Name()+" preview")))
}

func (e *Env) TryUp(ctx context.Context, s auto.Stack) (auto.UpResult, error) {
	return s.Up(ctx, optup.ProgressStreams(e.logWriter(s.Name()+" up")))
}

// The operations below stream the CLI's output into the test log (shown with -v or on failure); on error,
// auto's error carries the CLI's whole stdout and stderr, which require prints.

// Preview runs `pulumi preview` and returns the count of each operation.
func (e *Env) Preview(ctx context.Context, s auto.Stack) auto.PreviewResult {
	e.t.Helper()
	res, err := s.Preview(ctx, optpreview.ProgressStreams(e.logWriter(s.Name()+" preview")))
	require.NoError(e.t, err, "pulumi preview --stack %s", s.Name())
	return res
}

// Up runs `pulumi up`.
func (e *Env) Up(ctx context.Context, s auto.Stack) auto.UpResult {
	e.t.Helper()
	res, err := s.Up(ctx, optup.ProgressStreams(e.logWriter(s.Name()+" up")))
	require.NoError(e.t, err, "pulumi up --stack %s", s.Name())
	return res
}

// Destroy runs `pulumi destroy` and returns its error: refusing is sometimes the right answer.
func (e *Env) Destroy(ctx context.Context, s auto.Stack) (auto.DestroyResult, error) {
	e.t.Helper()
	return s.Destroy(ctx, optdestroy.ProgressStreams(e.logWriter(s.Name()+" destroy")))
}

// Unprotect runs `pulumi state unprotect --all`, as an operator does before deleting protected resources.
func (e *Env) Unprotect(ctx context.Context, s auto.Stack) {
	e.t.Helper()
	env := make([]string, 0, len(e.envVars))
	for k, v := range e.envVars {
		env = append(env, k+"="+v)
	}
	out, errOut, code, err := pulumiCommand(e.t).Run(ctx, e.WorkDir, nil, nil, nil, env,
		"state", "unprotect", "--all", "--yes", "--stack", s.Name())
	require.NoError(e.t, err, "pulumi state unprotect --all --stack %s (exit %d): %s%s", s.Name(), code, out, errOut)
}

// LogOperations makes the fake AWS log every create, update and delete from now on into a new file,
// whose path it returns (read it with readOps).
func (e *Env) LogOperations() string {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), "operations.log")
	e.envVars["FAKEAWS_OPLOG"] = path
	return path
}

// Record is one resource that exists in the fake AWS (see fakeaws.Record).
type Record struct {
	Type    string         `json:"type"`
	ID      string         `json:"id"`
	URN     string         `json:"urn"`
	Account string         `json:"account"`
	Region  string         `json:"region"`
	Inputs  map[string]any `json:"inputs"`
	Outputs map[string]any `json:"outputs"`
}

// Key is how a record is named in assertions and failure messages.
func (r Record) Key() string { return r.Type + " " + r.ID }

// Records lists what exists in the fake AWS, sorted by Key.
func (e *Env) Records() []Record {
	e.t.Helper()
	var recs []Record
	err := filepath.WalkDir(e.AWSDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		recs = append(recs, r)
		return nil
	})
	require.NoError(e.t, err)
	sort.Slice(recs, func(i, j int) bool { return recs[i].Key() < recs[j].Key() })
	return recs
}

// Find returns the record of that type and ID, or nil.
func Find(recs []Record, typ, id string) *Record {
	for i := range recs {
		if recs[i].Type == typ && recs[i].ID == id {
			return &recs[i]
		}
	}
	return nil
}

// OfStack keeps the records a resource of that stack created or last updated.
func OfStack(recs []Record, stack string) []Record {
	var out []Record
	for _, r := range recs {
		if strings.HasPrefix(r.URN, "urn:pulumi:"+stack+"::") {
			out = append(out, r)
		}
	}
	return out
}

// Keys is the records' keys, for readable assertions.
func Keys(recs []Record) []string {
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = r.Key()
	}
	return keys
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(to), 0o755))
	require.NoError(t, os.WriteFile(to, data, mode))
}

// logWriter sends each line the CLI prints to t.Log with a prefix.
func (e *Env) logWriter(prefix string) io.Writer { return &lineLogger{t: e.t, prefix: prefix} }

type lineLogger struct {
	t      *testing.T
	prefix string
	mu     sync.Mutex
	buf    bytes.Buffer
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for {
		line, err := l.buf.ReadString('\n')
		if err != nil { // no full line yet: keep it for the next write
			l.buf.WriteString(line)
			return len(p), nil
		}
		l.t.Logf("%s | %s", l.prefix, strings.TrimRight(line, "\n"))
	}
}
