package rollout

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/cistacks"
)

func TestWebIdentity_EachStackGetsOnlyItsOwnRole(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "sts.amazonaws.com", r.URL.Query().Get("audience"), "the audience AWS STS expects")
		assert.Equal(t, "abc", r.URL.Query().Get("api-version"), "GitHub's own query is kept")
		assert.Equal(t, "bearer request-token", r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"count":1,"value":"eyJ.jwt.sig"}`))
	}))
	defer srv.Close()
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", srv.URL+"/token?api-version=abc")
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token")

	s := cistacks.Stack{Stack: "web", Account: "222222222222", Region: "eu-central-1",
		Role:        "arn:aws:iam::222222222222:role/log-archive-github-deployer",
		PreviewRole: "arn:aws:iam::222222222222:role/log-archive-github-previewer"}
	for _, tt := range []struct {
		kind RoleKind
		role string
	}{{DeployRole, s.Role}, {PreviewRole, s.PreviewRole}} {
		dir := t.TempDir()
		env, err := WebIdentity{Kind: tt.kind, Dir: dir, Session: "log-archive-" + string(tt.kind)}.Env(context.Background(), s)
		require.NoError(t, err)
		assert.Equal(t, tt.role, env["AWS_ROLE_ARN"])
		assert.Equal(t, "log-archive-"+string(tt.kind)+"-web", env["AWS_ROLE_SESSION_NAME"])
		assert.Equal(t, "eu-central-1", env["AWS_REGION"])
		for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
			v, set := env[k]
			assert.True(t, set && v == "", "%s is blanked, so no ambient credential reaches the stack", k)
		}
		token, err := os.ReadFile(env["AWS_WEB_IDENTITY_TOKEN_FILE"])
		require.NoError(t, err)
		assert.Equal(t, "eyJ.jwt.sig", string(token))
		info, err := os.Stat(env["AWS_WEB_IDENTITY_TOKEN_FILE"])
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}
}

func TestWebIdentity_OutsideGitHubActions(t *testing.T) {
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", "")
	_, err := WebIdentity{Kind: DeployRole, Dir: t.TempDir()}.Env(context.Background(),
		cistacks.Stack{Stack: "web", Role: "arn:aws:iam::222222222222:role/d"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stack web: an OIDC token for arn:aws:iam::222222222222:role/d: ACTIONS_ID_TOKEN_REQUEST_URL is not set: run in a GitHub Actions job with permissions id-token: write, or leave --assume-role out")
}

func TestErrorText_KeepsTheProgramsMessage(t *testing.T) {
	err := &fakeErr{"failed to run update: exit status 1\ncode: 1\nstdout: Updating (src-02):\n  lots of progress\n\nstderr: error: an unhandled error occurred: 1 error occurred:\n\t* the stack configuration has 1 problem; nothing was created:\n  - Pulumi.src-02.yaml: the archive does not accept source account 400000000002\n"}
	assert.Equal(t, "the stack configuration has 1 problem; nothing was created:\n- Pulumi.src-02.yaml: the archive does not accept source account 400000000002", errorText(err))
}

type fakeErr struct{ s string }

func (e *fakeErr) Error() string { return e.s }
