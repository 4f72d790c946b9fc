package program_test

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/plan"
	"log-archive/internal/policy"
	"log-archive/internal/program"
	"log-archive/internal/stackconfig"
	"log-archive/internal/testfixture"
)

func stackFiles(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "Pulumi.*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

// The Pulumi CLI reads these files; the SDK's own loaders must accept them as written.
func TestProjectFiles_LoadWithThePulumiSDK(t *testing.T) {
	project, err := workspace.LoadProject(filepath.Join(repoRoot(t), "Pulumi.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "log-archive", project.Name.String())
	assert.Equal(t, "go", project.Runtime.Name())

	sink := diag.DefaultSink(os.Stderr, os.Stderr, diag.FormatOptions{Color: "never"})
	for _, f := range stackFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ps, err := workspace.LoadProjectStack(sink, project, f)
			require.NoError(t, err)
			keys := map[string]bool{}
			for k := range ps.Config {
				keys[k.String()] = true
			}
			for _, required := range []string{stackconfig.KeyStackKind, stackconfig.KeyRegion, stackconfig.KeyAllowedAccountIDs} {
				assert.True(t, keys[required], "%s sets %s", filepath.Base(f), required)
			}
		})
	}
}

// Pulumi.yaml declares every key the program reads, with the type, default and stack kind the program
// expects (stackconfig.Declarations), and nothing else. Every key but stackKind has a default, or the
// Pulumi CLI would require it in every stack, destination and source alike (../shared/engine.md).
func TestProjectFiles_DeclareExactlyTheKeysTheProgramReads(t *testing.T) {
	project, err := workspace.LoadProject(filepath.Join(repoRoot(t), "Pulumi.yaml"))
	require.NoError(t, err)
	var declared []string
	for key, decl := range project.Config {
		declared = append(declared, key)
		want, known := stackconfig.Declarations[key]
		if !assert.True(t, known, "Pulumi.yaml declares %s, which the program does not read", key) {
			continue
		}
		assert.Equal(t, want.Type, decl.TypeName(), "%s: type", key)
		if want.Items != "" && assert.NotNil(t, decl.Items, "%s: item type", key) {
			assert.Equal(t, want.Items, decl.Items.Type, "%s: item type", key)
		}
		assert.Equal(t, want.Default, decl.Default, "%s: default", key)
		assert.NotEmpty(t, decl.Description, "%s has a description", key)
	}
	read := slices.Concat(stackconfig.CommonKeys, stackconfig.DestinationKeys, stackconfig.SourceKeys)
	slices.Sort(declared)
	slices.Sort(read)
	assert.Equal(t, read, declared)
	var required []string
	for key, decl := range project.Config {
		if decl.Default == nil && decl.Value == nil {
			required = append(required, key)
		}
	}
	assert.Equal(t, []string{stackconfig.KeyStackKind}, required, "the only key the CLI requires in every stack")
	require.NotNil(t, project.Description)
	assert.Contains(t, *project.Description, stackconfig.KeyRegion, "the aws: keys the program reads are documented")
	assert.Contains(t, *project.Description, stackconfig.KeyAllowedAccountIDs)
}

// A declared default reads exactly as an absent key: the plan of a stack with every default merged in,
// as the CLI merges them, equals the plan of the same stack with no default present. Checked for each
// kind of stack with every key of both kinds at its default.
func TestProjectDefaults_ReadAsNotSet(t *testing.T) {
	for name, cfg := range map[string]map[string]string{"destination": destinationConfig(), "source": sourceConfig()} {
		t.Run(name, func(t *testing.T) {
			merged := maps.Clone(cfg)
			for key, decl := range stackconfig.Declarations {
				if _, set := merged[key]; !set && decl.Default != nil {
					merged[key] = decl.ConfigValue()
				}
			}
			require.Greater(t, len(merged), len(cfg)+5, "defaults were merged")
			var refs map[string]map[string]any
			if name == "source" {
				refs = archiveOutputs(t, destinationConfig())
			}
			plain, err := runStack(t, name, cfg, refs)
			require.NoError(t, err)
			withDefaults, err := runStack(t, name, merged, refs)
			require.NoError(t, err)
			assert.Equal(t, plain, withDefaults)
		})
	}
}

func TestStackFiles_EveryExampleStackPlans(t *testing.T) {
	for _, f := range stackFiles(t) {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml")
		t.Run(name, func(t *testing.T) {
			p, err := plan.PlanStack(repoRoot(t), name, program.Program)
			require.NoError(t, err)
			assert.NotEmpty(t, p.Creates())
			for _, pol := range p.Policies() {
				assert.LessOrEqual(t, pol.Bytes(), pol.Limit, "%s %s", pol.Resource, pol.Label)
			}
		})
	}
}

// Every source stack, planned from its file, describes one working replication with the archive stack it
// names, planned from that archive's file. Run on the repository's own stack files (whatever the user has
// made of them) and on the fixture, so the check never passes for want of a source stack.
func TestStackFiles_EverySourceAgreesWithItsArchive(t *testing.T) {
	for _, project := range []struct{ name, dir string }{{"repository", repoRoot(t)}, {"fixture", testfixture.Project(t)}} {
		names, err := plan.StackNames(project.dir)
		require.NoError(t, err)
		var sources int
		for _, name := range names {
			stack, err := plan.LoadStack(project.dir, name)
			require.NoError(t, err)
			if stack.Config[stackconfig.KeyStackKind] != string(stackconfig.KindSource) {
				continue
			}
			sources++
			t.Run(project.name+"/"+name, func(t *testing.T) { assertSourceAgreesWithArchive(t, project.dir, stack) })
		}
		if project.name == "fixture" {
			require.Positive(t, sources)
		}
	}
}

func assertSourceAgreesWithArchive(t *testing.T, dir string, srcStack plan.Stack) {
	archiveName := stackconfig.DestinationStackName(srcStack.Config[stackconfig.KeyDestinationStack])
	dest, err := plan.PlanStack(dir, archiveName, program.Program)
	require.NoError(t, err)
	src, err := plan.PlanStack(dir, srcStack.Name, program.Program)
	require.NoError(t, err)
	srcAccount := srcStack.Config[stackconfig.KeySourceAccountID]
	destStack, err := plan.LoadStack(dir, archiveName)
	require.NoError(t, err)
	destAccount := destStack.Config[stackconfig.KeyArchiveAccountID]

	// The role the source creates is the one the archive's policies pin (R2.4, R3.3).
	roleArn := src.Outputs["replicationRoleArn"].(string)
	pattern := dest.Outputs["replicationRoleArnPattern"].(string)
	assert.Regexp(t, arnLike(pattern), roleArn)
	assert.True(t, strings.HasPrefix(roleArn, "arn:aws:iam::"+srcAccount+":role/"))
	// The archive admits the source's account, by the fixed list or by its organization (R2.10, R2.12).
	bucketPolicy := policyInput(t, mustStep(t, dest, tBucketPolicy, "archive-policy"), "policy")
	keyPolicy := policyInput(t, mustStep(t, dest, tKey, "archive-key"), "policy")
	grant, byAccount := bucketPolicy.StatementBySid(components.SidArchiveReplication)
	keyGrant, _ := keyPolicy.StatementBySid(components.SidSourceRolesUseKey)
	if !byAccount || !slices.Contains(grant.Condition["StringEquals"]["aws:PrincipalAccount"], srcAccount) {
		grant = statementOf(t, bucketPolicy, components.SidArchiveReplicationOrg)
		keyGrant = statementOf(t, keyPolicy, components.SidSourceOrgRolesUseKey)
	} else {
		assert.Contains(t, keyGrant.Condition["StringEquals"]["kms:CallerAccount"], srcAccount)
	}
	assert.Regexp(t, arnLike(grant.Condition["ArnLike"]["aws:PrincipalArn"][0]), roleArn)
	assert.Regexp(t, arnLike(keyGrant.Condition["ArnLike"]["aws:PrincipalArn"][0]), roleArn)

	// What the role may do on the archive matches what the archive grants (R1.17: both sides).
	rolePolicy := policyInput(t, mustStep(t, src, tRolePolicy, "source-role-policy"), "policy")
	assert.Equal(t, grant.Action, statementOf(t, rolePolicy, components.SidReplicateIntoArchive).Action)
	assert.Equal(t, grant.Resource, statementOf(t, rolePolicy, components.SidReplicateIntoArchive).Resource)
	encrypt := statementOf(t, rolePolicy, components.SidEncryptReplicas)
	assert.Equal(t, keyGrant.Action, encrypt.Action)
	assert.Equal(t, keyGrant.Condition["StringEquals"]["kms:ViaService"], encrypt.Condition["StringEquals"]["kms:ViaService"])
	assert.Equal(t, keyGrant.Condition["StringLike"], encrypt.Condition["StringLike"])

	// The replica key is the very key that encrypts the archive bucket (R4.9), and the rule targets the
	// archive bucket and account (R2.7).
	archiveKey := input(t, mustStep(t, dest, tEncryption, "archive-encryption"), "rules", 0, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
	assert.Equal(t, policy.Strings{archiveKey.(string)}, encrypt.Resource)
	archiveBucketArn := dest.Outputs["archiveBucketArn"]
	for _, repl := range src.OfType(tReplication) {
		dst := input(t, repl, "rules", 0, "destination").(map[string]any)
		assert.Equal(t, archiveKey, dst["encryptionConfiguration"].(map[string]any)["replicaKmsKeyId"])
		assert.Equal(t, archiveBucketArn, dst["bucket"])
		assert.Equal(t, destAccount, dst["account"])
		assert.Equal(t, roleArn, repl.NewState.Inputs["role"])
	}
}

// arnLike turns an IAM ArnLike pattern into a regular expression (* and ? within the ARN).
func arnLike(pattern string) *regexp.Regexp {
	q := regexp.QuoteMeta(pattern)
	q = strings.ReplaceAll(q, `\*`, `.*`)
	q = strings.ReplaceAll(q, `\?`, `.`)
	return regexp.MustCompile("^" + q + "$")
}

// One source stack per account: IAM names are global per account, so a second stack in the same account
// (a copy of the example left unchanged, or one per Region) collides on the replication role's name. Buckets
// in other Regions of the account go into the same stack (`region` on their entries).
func TestStackFiles_OneSourceStackPerAccount(t *testing.T) {
	names, err := plan.StackNames(repoRoot(t))
	require.NoError(t, err)
	owner := map[string]string{} // account -> the first source stack file that deploys into it
	for _, name := range names {
		st, err := plan.LoadStack(repoRoot(t), name)
		require.NoError(t, err)
		if st.Config[stackconfig.KeyStackKind] != string(stackconfig.KindSource) {
			continue
		}
		account := st.Config[stackconfig.KeySourceAccountID]
		if first, dup := owner[account]; dup {
			t.Errorf("Pulumi.%s.yaml and Pulumi.%s.yaml both deploy into account %s: the second would fail on the replication role's name (IAM names are global per account). Put the buckets of both in one stack, with `region` on the entries of other Regions, or correct %s",
				first, name, account, stackconfig.KeySourceAccountID)
		}
		owner[account] = name
	}
}
