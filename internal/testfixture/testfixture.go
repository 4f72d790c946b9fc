// Package testfixture gives tests a project whose stack files hold fixed values (testdata/stacks), so a
// test that asserts exact account IDs, bucket names or Regions never reads the repository's own
// Pulumi.<stack>.yaml: those belong to the user, who replaces every value in them.
package testfixture

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Root is the repository root: the project's Pulumi.yaml and the user's stack files.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Project copies the fixture project into a fresh directory of the test's and returns it.
func Project(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := Copy(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ProjectWithExtras is Project plus the large and unusual source stacks of testdata/stacks/extra (100
// buckets in 5 Regions, replication time control in 3 Regions, named alarm topics): each is in the
// archive's account 333333333333, so they are planned one at a time, never deployed side by side as a
// fleet, which is why the plain fixture project does not hold them.
func ProjectWithExtras(t testing.TB) string {
	t.Helper()
	dir := Project(t)
	if err := CopyExtras(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// CopyExtras adds testdata/stacks/extra to a project Copy wrote: the stack files, and their
// .github/stacks.yaml entries appended to the fixture's.
func CopyExtras(dir string) error {
	extras, err := filepath.Glob(filepath.Join(Root(), "testdata", "stacks", "extra", "Pulumi.*.yaml"))
	if err != nil || len(extras) == 0 {
		return fmt.Errorf("no extra fixture stack files in testdata/stacks/extra: %v", err)
	}
	for _, f := range extras {
		if err := copyFile(f, filepath.Join(dir, filepath.Base(f))); err != nil {
			return err
		}
	}
	entries, err := os.ReadFile(filepath.Join(Root(), "testdata", "stacks", "extra", "github-stacks.yaml"))
	if err != nil {
		return err
	}
	stacks := filepath.Join(dir, ".github", "stacks.yaml")
	base, err := os.ReadFile(stacks)
	if errors.Is(err, os.ErrNotExist) {
		return nil // a project without the workflows' mapping (the engine test's) needs only the stack files
	}
	if err != nil {
		return err
	}
	return os.WriteFile(stacks, append(base, entries...), 0o644)
}

// Copy writes the project's Pulumi.yaml and the fixture stack files into dir. Fixtures named
// github-*.yaml go to .github/ (github-stacks.yaml is .github/stacks.yaml).
func Copy(dir string) error {
	fixtures, err := filepath.Glob(filepath.Join(Root(), "testdata", "stacks", "*.yaml"))
	if err != nil || len(fixtures) == 0 {
		return fmt.Errorf("no fixture stack files in testdata/stacks: %v", err)
	}
	if err := copyFile(filepath.Join(Root(), "Pulumi.yaml"), filepath.Join(dir, "Pulumi.yaml")); err != nil {
		return err
	}
	for _, f := range fixtures {
		to := filepath.Join(dir, filepath.Base(f))
		if rest, ok := strings.CutPrefix(filepath.Base(f), "github-"); ok {
			to = filepath.Join(dir, ".github", rest)
		}
		if err := copyFile(f, to); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// Fleet is the fixture fleet.yaml (testdata/fleet), the defaults of an onboarded fleet over the fixture
// archive; tests that onboard write it into their project copy.
func Fleet() string {
	b, err := os.ReadFile(filepath.Join(Root(), "testdata", "fleet", "fleet.yaml"))
	if err != nil {
		panic(fmt.Sprintf("the fixture fleet.yaml: %v", err))
	}
	return string(b)
}
