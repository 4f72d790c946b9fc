package reference

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/contract"
	"log-archive/internal/stackconfig"
)

// Every generated block is what the code generates now: a key or an output added to the code without
// `go generate` fails here, with the command that fixes it.
func TestGeneratedFilesMatchTheCode(t *testing.T) {
	for _, s := range Sections {
		t.Run(s.File, func(t *testing.T) {
			current, generated, err := Generate(Root(), s)
			require.NoError(t, err)
			if string(current) != string(generated) {
				t.Errorf("%s differs from what %s generates: run `%s` and commit the result", s.File, s.Source, Command)
			}
		})
	}
}

// The generated files document every key and output, each once, in the places a reader looks.
func TestGeneratedFilesDocumentEveryKeyAndOutput(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(Root(), name))
		require.NoError(t, err)
		return string(b)
	}
	project, configuration, contractDoc := read("Pulumi.yaml"), read("docs/configuration.md"), read("docs/contract.md")
	for _, d := range stackconfig.KeyTable {
		assert.Equal(t, 1, strings.Count(project, "\n  "+d.Key+":\n"), "Pulumi.yaml declares %s once", d.Key)
		assert.Equal(t, 1, strings.Count(configuration, "| `"+d.Key+"` |"), "docs/configuration.md documents %s once", d.Key)
	}
	for _, d := range stackconfig.ProviderKeys {
		assert.NotContains(t, project, "\n  "+d.Key+":", "Pulumi.yaml cannot declare another namespace's key")
		assert.Contains(t, configuration, "| `"+d.Key+"` |")
	}
	for _, name := range append(contract.Names[contract.ArchiveOutputs](), contract.Names[contract.SourceOutputs]()...) {
		assert.Contains(t, contractDoc, "| `"+name+"` |")
	}
}

// Adding a key is one row of KeyTable: both generated files then carry it, with its type, default,
// description and rules.
func TestAKeyAddedToTheTableReachesBothFiles(t *testing.T) {
	saved := stackconfig.KeyTable
	t.Cleanup(func() { stackconfig.KeyTable = saved })
	stackconfig.KeyTable = append(append([]stackconfig.Declaration{}, saved...), stackconfig.Declaration{
		Key: "log-archive:replicationEvents", Kind: stackconfig.KindDestination, Type: "object", Default: map[string]any{}, Unset: "off",
		Description: "Where replication events go.", Rules: "`{sinks: ...}`."})
	project, err := projectConfig(Root())
	require.NoError(t, err)
	assert.Contains(t, project, "  log-archive:replicationEvents:\n    type: object\n    default: {}\n    description: 'Where replication events go. `{sinks: ...}`.'\n")
	assert.Less(t, strings.Index(project, "# Destination"), strings.Index(project, "log-archive:replicationEvents"), "listed with its stack kind")
	assert.Less(t, strings.Index(project, "log-archive:replicationEvents"), strings.Index(project, "# Source"))
	tables, err := configurationTables(Root())
	require.NoError(t, err)
	assert.Contains(t, tables, "| `log-archive:replicationEvents` | mapping | off | Where replication events go. `{sinks: ...}`. |\n")
}

// A file whose markers are gone is named, with what to put back, instead of being rewritten blindly.
func TestGenerateRefusesAFileWithoutItsMarkers(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte("name: log-archive\nconfig: {}\n"), 0o644))
	_, _, err := Generate(dir, Sections[0])
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Pulumi.yaml has no block between the lines \"# BEGIN generated from internal/stackconfig/keys.go")
}

// Every output has a comment saying what it is for: the contract table's last column.
func TestEveryOutputSaysWhatItIsFor(t *testing.T) {
	comments, err := fieldComments(filepath.Join(Root(), "internal", "contract", "outputs.go"))
	require.NoError(t, err)
	for _, f := range contract.Fields[contract.ArchiveOutputs]() {
		assert.NotEmpty(t, comments["ArchiveOutputs."+f.GoName], f.Name)
	}
	for _, f := range contract.Fields[contract.SourceOutputs]() {
		assert.NotEmpty(t, comments["SourceOutputs."+f.GoName], f.Name)
	}
}
