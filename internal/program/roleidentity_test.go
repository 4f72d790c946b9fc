package program_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
)

// The replication role keeps the path and name it was created with: IAM cannot change either in place,
// and the provider's create-before-delete replacement fails on the name (EntityAlreadyExists). The
// replication configurations and the role policy take the role through the identity check, so a changed
// pin stops them before anything changes. The engine test shows the refusal against a real state.
func TestSource_RoleKeepsItsIdentityAndDependentsWaitForTheCheck(t *testing.T) {
	p := runSource(t, sourceConfig())
	role := mustStep(t, p, tRole, "source-role")
	assert.ElementsMatch(t, []string{"name", "path"}, role.NewState.IgnoreChanges)
	assert.Equal(t, "log-archive-replication", role.NewState.Inputs["name"])
	assert.Equal(t, "/log-archive/", role.NewState.Inputs["path"])

	wantArn := "arn:aws:iam::222222222222:role/log-archive/log-archive-replication"
	policy := mustStep(t, p, tRolePolicy, "source-role-policy")
	assert.Equal(t, "log-archive-replication", policy.NewState.Inputs["role"])
	assert.Contains(t, policy.NewState.Dependencies, role.URN)
	for _, repl := range p.OfType(tReplication) {
		assert.Equal(t, wantArn, repl.NewState.Inputs["role"], "%s", repl.Name())
		assert.Contains(t, repl.NewState.Dependencies, role.URN, "%s", repl.Name())
	}
}

func TestCheckRoleIdentity(t *testing.T) {
	pinned := "arn:aws:iam::222222222222:role/log-archive/log-archive-replication"
	for _, tc := range []struct {
		name, existing string
		ok             bool
	}{
		{"same identity", pinned, true},
		{"path changed", "arn:aws:iam::222222222222:role/old-path/log-archive-replication", false},
		{"name changed", "arn:aws:iam::222222222222:role/log-archive/replication", false},
		{"root path", "arn:aws:iam::222222222222:role/log-archive-replication", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := components.CheckRoleIdentity(tc.existing, pinned)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range []string{tc.existing, pinned, "nothing was changed", "log-archive:replicationRolePath", "Fix:"} {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}
