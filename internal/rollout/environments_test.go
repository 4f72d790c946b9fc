package rollout_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/rollout"
)

// Recorded answers of GET /repos/{owner}/{repo}/environments/{name}, in the shape of GitHub's REST
// documentation (GH3).
func TestEnvironmentProblems(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		return b
	}
	tests := []struct {
		name   string
		status int
		body   []byte
		want   []string
	}{
		{"gated", 200, read("environment-gated.json"), nil},
		{"missing", 404, []byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest/deployments/environments#get-an-environment","status":"404"}`),
			[]string{"deploy-x does not exist; a deploy would create it without protection rules"}},
		{"created by a workflow that named it", 200, read("environment-created-by-a-workflow.json"), []string{
			"deploy-x has no required reviewers: any push to main deploys it unreviewed",
			"deploy-x lets administrators bypass its protection rules",
			"deploy-x accepts deployments from any branch",
		}},
		{"self-review allowed", 200, read("environment-self-review.json"), []string{"deploy-x allows self-review"}},
		{"reviewers rule without reviewers", 200, []byte(`{"name":"deploy-x","can_admins_bypass":false,"protection_rules":[{"type":"required_reviewers","prevent_self_review":true,"reviewers":[]}],"deployment_branch_policy":{"protected_branches":true,"custom_branch_policies":false}}`),
			[]string{"deploy-x has no required reviewers"}},
		{"no access", 403, []byte(`{"message":"Resource not accessible by integration"}`), []string{"deploy-x: GitHub answered 403: {\"message\":\"Resource not accessible by integration\"}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rollout.EnvironmentProblems("deploy-x", tt.status, tt.body)
			require.Len(t, got, len(tt.want), "%q", got)
			for i, w := range tt.want {
				assert.True(t, strings.HasPrefix(got[i], w), "%q does not start with %q", got[i], w)
				if tt.status == 200 || tt.status == 404 {
					assert.Contains(t, got[i], "Settings > Environments > deploy-x", "says where to fix it")
				}
			}
		})
	}
}

func TestCheckEnvironments_AsksGitHubForEachEnvironment(t *testing.T) {
	gated, err := os.ReadFile(filepath.Join("testdata", "environment-gated.json"))
	require.NoError(t, err)
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		assert.Equal(t, "Bearer t0ken", r.Header.Get("Authorization"))
		if strings.HasSuffix(r.URL.Path, "/deploy-canary") {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(gated)
	}))
	defer srv.Close()
	problems, err := rollout.CheckEnvironments(context.Background(), srv.Client(), srv.URL+"/", "acme/log-archive", "t0ken",
		[]string{"deploy-destination", "deploy-canary", "deploy-sources"})
	require.NoError(t, err)
	assert.Equal(t, []string{"/repos/acme/log-archive/environments/deploy-destination", "/repos/acme/log-archive/environments/deploy-canary",
		"/repos/acme/log-archive/environments/deploy-sources"}, paths)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "deploy-canary does not exist")
}
