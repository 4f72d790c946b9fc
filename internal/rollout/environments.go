package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// environment is the part of GitHub's REST answer to GET /repos/{owner}/{repo}/environments/{name} the
// preflight reads (GH3).
type environment struct {
	Name            string `json:"name"`
	CanAdminsBypass *bool  `json:"can_admins_bypass"`
	ProtectionRules []struct {
		Type              string            `json:"type"`
		PreventSelfReview *bool             `json:"prevent_self_review"`
		Reviewers         []json.RawMessage `json:"reviewers"`
	} `json:"protection_rules"`
	DeploymentBranchPolicy *struct {
		ProtectedBranches    bool `json:"protected_branches"`
		CustomBranchPolicies bool `json:"custom_branch_policies"`
	} `json:"deployment_branch_policy"`
}

// EnvironmentProblems judges one deploy environment from GitHub's answer (status and body): a deploy
// wave is gated only when its environment exists, names required reviewers, forbids self-review, does
// not let administrators bypass it, and deploys only from chosen branches. A workflow that names a
// missing environment creates it without any protection rule (GH3), so missing is a problem too.
func EnvironmentProblems(name string, status int, body []byte) []string {
	settings := fmt.Sprintf("Settings > Environments > %s", name)
	switch {
	case status == http.StatusNotFound:
		return []string{fmt.Sprintf("%s does not exist; a deploy would create it without protection rules. Create it (%s) with required reviewers, prevent self-review on, and administrators not allowed to bypass", name, settings)}
	case status != http.StatusOK:
		return []string{fmt.Sprintf("%s: GitHub answered %d: %s", name, status, oneLine(string(body)))}
	}
	var env environment
	if err := json.Unmarshal(body, &env); err != nil {
		return []string{fmt.Sprintf("%s: GitHub's answer is not an environment: %v", name, err)}
	}
	var problems []string
	reviewers := false
	for _, rule := range env.ProtectionRules {
		if rule.Type != "required_reviewers" {
			continue
		}
		if len(rule.Reviewers) > 0 {
			reviewers = true
		}
		if rule.PreventSelfReview == nil || !*rule.PreventSelfReview {
			problems = append(problems, fmt.Sprintf("%s allows self-review: whoever pushed the change can approve its deploy. Turn on \"Prevent self-review\" (%s)", name, settings))
		}
	}
	if !reviewers {
		problems = append(problems, fmt.Sprintf("%s has no required reviewers: any push to main deploys it unreviewed. Add reviewers (%s)", name, settings))
	}
	if env.CanAdminsBypass == nil || *env.CanAdminsBypass {
		problems = append(problems, fmt.Sprintf("%s lets administrators bypass its protection rules. Turn off \"Allow administrators to bypass configured protection rules\" (%s)", name, settings))
	}
	if p := env.DeploymentBranchPolicy; p == nil || (!p.ProtectedBranches && !p.CustomBranchPolicies) {
		problems = append(problems, fmt.Sprintf("%s accepts deployments from any branch. Limit \"Deployment branches and tags\" to main (%s)", name, settings))
	}
	return problems
}

// CheckEnvironments asks GitHub for each environment and returns every problem found.
func CheckEnvironments(ctx context.Context, client *http.Client, apiURL, repo, token string, names []string) ([]string, error) {
	var problems []string
	for _, name := range names {
		url := fmt.Sprintf("%s/repos/%s/environments/%s", strings.TrimSuffix(apiURL, "/"), repo, name)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", url, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", url, err)
		}
		problems = append(problems, EnvironmentProblems(name, resp.StatusCode, body)...)
	}
	return problems, nil
}
