package reference_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/testfixture"
)

// The README is the entry hall, short enough to read: what the project is, the quick start, the first
// archive and source, where each document is, the layout. The rest is in docs/.
func TestREADME_IsShort(t *testing.T) {
	lines := strings.Count(read(t, filepath.Join(testfixture.Root(), "README.md")), "\n")
	assert.LessOrEqual(t, lines, 250, "README.md has %d lines; move detail into docs/ (docs/README.md lists its pages)", lines)
}

// A newcomer's two commands are on the first screen, and they are the commands CI runs (.ci/run, and the
// offline plan of every stack in .ci/stack-checks, which .ci/run calls), so they cannot rot.
func TestREADME_QuickStartIsOnTheFirstScreenAndIsWhatCIRuns(t *testing.T) {
	root := testfixture.Root()
	lines := strings.Split(read(t, filepath.Join(root, "README.md")), "\n")
	heading := -1
	for i, line := range lines {
		if strings.HasPrefix(line, "## Quick start") {
			heading = i
			break
		}
	}
	require.NotEqual(t, -1, heading, `README.md has no "## Quick start" section`)
	var commands []string
	end := -1
	for i := heading + 1; i < len(lines) && end < 0; i++ {
		if strings.HasPrefix(lines[i], "## ") {
			break
		}
		if strings.TrimSpace(lines[i]) != "```sh" {
			continue
		}
		for j := i + 1; j < len(lines); j++ {
			if strings.HasPrefix(strings.TrimSpace(lines[j]), "```") {
				end = j
				break
			}
			command, _, _ := strings.Cut(lines[j], "#")
			if command = strings.TrimSpace(command); command != "" {
				commands = append(commands, command)
			}
		}
	}
	require.Greater(t, end, 0, "the quick start has no ```sh block")
	assert.LessOrEqual(t, end+1, 40, "the quick start's commands end on line %d of README.md; a newcomer must see them within the first 40 lines", end+1)
	require.Equal(t, []string{"go run ./cmd/plan --stack destination", "go test ./..."}, commands)

	run := ciCommands(t, filepath.Join(root, ".ci", "run"))
	require.Contains(t, run, "bash .ci/stack-checks", ".ci/run no longer runs .ci/stack-checks")
	ci := append(run, ciCommands(t, filepath.Join(root, ".ci", "stack-checks"))...)
	for _, command := range commands {
		assert.True(t, runsInCI(root, command, ci), "the README's quick-start command %q is not one CI runs (.ci/run, .ci/stack-checks)", command)
	}
}

// ciCommands are a CI script's lines, trimmed, without a redirection of their output.
func ciCommands(t *testing.T, path string) []string {
	var out []string
	for _, line := range strings.Split(read(t, path), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), "> /dev/null"))
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// runsInCI: the command is a line of CI's scripts, or a plan --stack of a stack whose file exists and
// CI runs plan --all, which plans every stack file.
func runsInCI(root, command string, ci []string) bool {
	for _, line := range ci {
		if line == command {
			return true
		}
		all, _, ok := strings.Cut(line, " --all")
		prefix := all + " --stack "
		if !ok || !strings.HasPrefix(command, prefix) {
			continue
		}
		stack := strings.TrimPrefix(command, prefix)
		if _, err := os.Stat(filepath.Join(root, "Pulumi."+stack+".yaml")); err == nil && !strings.Contains(stack, " ") {
			return true
		}
	}
	return false
}

// The README's layout names every package directory, so a newcomer finds each one (a new package adds a row).
func TestREADME_LayoutNamesEveryPackage(t *testing.T) {
	root := testfixture.Root()
	readme := read(t, filepath.Join(root, "README.md"))
	_, layout, ok := strings.Cut(readme, "\n## Layout\n")
	require.True(t, ok, `README.md has no "## Layout" section`)
	layout, _, _ = strings.Cut(layout, "\n## ")
	for _, parent := range []string{"cmd", "internal"} {
		entries, err := os.ReadDir(filepath.Join(root, parent))
		require.NoError(t, err)
		for _, e := range entries {
			if e.IsDir() {
				assert.Contains(t, layout, "`"+parent+"/"+e.Name()+"/`", "README.md's layout has no row naming %s/%s/", parent, e.Name())
			}
		}
	}
}

// docs/README.md is the manual's index: it links every page in docs/.
func TestDocsIndexListsEveryPage(t *testing.T) {
	root := testfixture.Root()
	index := read(t, filepath.Join(root, "docs", "README.md"))
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, pages)
	for _, page := range pages {
		name := filepath.Base(page)
		if name == "README.md" {
			continue
		}
		assert.Contains(t, index, "]("+name+")", "docs/README.md does not link docs/%s", name)
	}
}

// sectionReference is how code and documents point at a section: README, "Stand up the archive";
// docs/deploying.md "Verify replication" (a Go string's quotes may be escaped).
var sectionReference = regexp.MustCompile(`(README|docs/[\w-]+\.md)(?:'s)?[,:]? \\?"([A-Z][^"\\]*)\\?"`)

// Every section that Go code, tests, CI scripts or documents name by its heading exists in the file they
// name, so moving a section means moving its pointers too.
func TestEveryNamedSectionExists(t *testing.T) {
	root := testfixture.Root()
	files := pointingFiles(t, root)
	comment := regexp.MustCompile(`\n\s*(//|#)\s*`)
	found := 0
	for _, file := range files {
		rel, _ := filepath.Rel(root, file)
		text := comment.ReplaceAllString(read(t, file), " ")
		for _, m := range sectionReference.FindAllStringSubmatch(text, -1) {
			target := "README.md"
			if m[1] != "README" {
				target = m[1]
			}
			found++
			assert.True(t, hasHeading(t, filepath.Join(root, target), m[2]), "%s names the section %q of %s, which has no such heading", rel, m[2], target)
		}
	}
	assert.NotZero(t, found, "no section reference found: the pattern no longer matches how the code names sections")
}

// Every docs/ page that Go code, CI scripts, workflows or documents name exists.
func TestEveryNamedDocumentExists(t *testing.T) {
	root := testfixture.Root()
	page := regexp.MustCompile(`docs/[\w-]+\.md`)
	for _, file := range pointingFiles(t, root) {
		rel, _ := filepath.Rel(root, file)
		for _, name := range page.FindAllString(read(t, file), -1) {
			_, err := os.Stat(filepath.Join(root, name))
			assert.NoError(t, err, "%s names %s", rel, name)
		}
	}
}

// pointingFiles are the files that may name a document or a section of one: Go files, Markdown, YAML
// (stack files, .github/stacks.yaml, the workflows) and the CI scripts.
func pointingFiles(t *testing.T, root string) []string {
	var files []string
	require.NoError(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root && d.Name() != ".ci" && d.Name() != ".github" {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml") ||
			filepath.Dir(path) == filepath.Join(root, ".ci")) {
			files = append(files, path)
		}
		return nil
	}))
	return files
}

func hasHeading(t *testing.T, path, title string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	want := strings.ToLower(strings.ReplaceAll(title, "`", ""))
	fenced := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		// A reference may name a long heading by its start: "Does pulumi preview write?".
		if strings.HasPrefix(strings.ToLower(strings.ReplaceAll(strings.TrimSpace(strings.TrimLeft(line, "#")), "`", "")), want) {
			return true
		}
	}
	return false
}
