-- The integrations Floyo offers (GET /api/integrations), each with the telemetry `app` values and
-- event types that are evidence a user would benefit from it (insights.generate-suggestions).
-- Upserted by id: changing an entry is a new migration that updates it. Each id has a config
-- validator in src/modules/insights/integrations/definitions.ts.
INSERT INTO insights.integration_catalog (id, name, category, description, website, apps, event_types, position) VALUES
  ('slack', 'Slack', 'communication', 'Post summaries and alerts to a channel; turn messages into tasks.', 'https://slack.com',
   '{slack}', '{message.sent,message.read,channel.opened,notification.clicked,huddle.started}', 10),
  ('github', 'GitHub', 'development', 'Link commits, pull requests and reviews to the work they belong to.', 'https://github.com',
   '{github,vscode,terminal}', '{commit.created,pull_request.opened,pull_request.reviewed,issue.created,code.pushed,repo.opened}', 20),
  ('google-calendar', 'Google Calendar', 'calendar', 'See meetings next to your focus time; block time for recurring work.', 'https://calendar.google.com',
   '{google-calendar,calendar}', '{meeting.joined,meeting.scheduled,event.created,calendar.opened}', 30),
  ('notion', 'Notion', 'documents', 'Save notes and decisions to a Notion database automatically.', 'https://www.notion.so',
   '{notion}', '{document.edited,document.created,page.viewed,note.created}', 40),
  ('jira', 'Jira', 'project-management', 'Create and update issues from where the work happens.', 'https://www.atlassian.com/software/jira',
   '{jira}', '{issue.created,issue.updated,issue.transitioned,sprint.viewed}', 50),
  ('linear', 'Linear', 'project-management', 'Create issues from messages and link them to pull requests.', 'https://linear.app',
   '{linear}', '{issue.created,issue.updated,cycle.viewed}', 60),
  ('figma', 'Figma', 'design', 'Follow design changes and hand-offs next to the tasks they belong to.', 'https://www.figma.com',
   '{figma}', '{design.edited,design.commented,file.opened,prototype.viewed}', 70),
  ('zoom', 'Zoom', 'meetings', 'Attach meeting recordings and notes to the project they concern.', 'https://zoom.us',
   '{zoom}', '{meeting.joined,meeting.ended,recording.viewed}', 80),
  ('google-drive', 'Google Drive', 'storage', 'Find the files you use with each project and back up exports.', 'https://drive.google.com',
   '{google-drive,google-docs,google-sheets}', '{file.opened,file.uploaded,file.shared,document.edited}', 90),
  ('trello', 'Trello', 'project-management', 'Move cards as work progresses, from the apps where it does.', 'https://trello.com',
   '{trello}', '{card.created,card.moved,board.viewed}', 100)
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category, description = EXCLUDED.description,
  website = EXCLUDED.website, apps = EXCLUDED.apps, event_types = EXCLUDED.event_types, position = EXCLUDED.position;
