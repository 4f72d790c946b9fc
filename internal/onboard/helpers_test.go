package onboard

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// fleetYAML is the fixture fleet (testdata/fleet/fleet.yaml).
var fleetYAML = testfixture.Fleet()

// fleetProject is the fixture project (testdata/stacks) with fleet.yaml.
func fleetProject(t testing.TB, fleet string) string {
	t.Helper()
	dir := testfixture.Project(t)
	write(t, dir, FleetFile, fleet)
	return dir
}

func write(t testing.TB, dir, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644))
}

func read(t testing.TB, dir, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, path))
	require.NoError(t, err)
	return string(b)
}

// onboard runs Onboard on dir with an account list and writes the result, as `fleet onboard` does.
func onboard(t testing.TB, dir, listName, list string, canary ...string) *Result {
	t.Helper()
	var in Input
	if listName != "" {
		var err error
		in, err = ReadAccounts(listName, []byte(list))
		require.NoError(t, err)
	}
	res, err := Onboard(Options{Dir: dir, Input: in, Canary: canary, Program: program.Program})
	require.NoError(t, err)
	require.NoError(t, res.Write(dir))
	return res
}

// snapshot is every file under dir, by relative path.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(b)
		return err
	}))
	return files
}
