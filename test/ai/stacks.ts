/** Stack files shared by the AI tests: one full of secrets, one valid Compose stack. */

/** Every kind of secret the redactor must keep out of prompts, each a distinct recognisable string. */
export const SECRETS = {
  passwordDefault: 'Tr0ub4dor&3-horse',
  generatedDefault: '{{ generate_secret(48) }}',
  envLiteral: 'literal-env-value-42',
  envListValue: 'smtp-pass-in-list',
  envArgument: 'HOST_DB_PASSWORD',
  apiKey: 'sk-proj-AbCdEf0123456789xyz',
  githubToken: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  awsKey: 'AKIAIOSFODNN7EXAMPLE',
  highEntropy: 'q7ZxP2mK9vB4nL8wR3tY6uJ1',
  urlPassword: 'dbpassw0rd',
  pemBody: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
} as const;

export const SECRET_STACK = `metadata:
  name: "Secret app"
  version: "1.0.0"
  category: "Testing"
  author: "WindFlow"
  license: "MIT"
  description: "A stack holding every kind of secret"
  target_type: "docker_compose"

variables:
  db_password:
    type: password
    label: "Database password"
    default: "${SECRETS.passwordDefault}"
  session_key:
    type: string
    label: "Session key"
    default: "${SECRETS.generatedDefault}"
  app_port:
    type: integer
    label: "Port"
    default: 8080

template:
  version: "3.8"
  services:
    app:
      image: "example/app:1.2"
      environment:
        DB_PASSWORD: "{{ db_password }}"
        PLAIN_SETTING: "${SECRETS.envLiteral}"
        HOST_SECRET: "{{ env('${SECRETS.envArgument}') }}"
        OPENAI_KEY: ${SECRETS.apiKey}
        DATABASE_URL: "postgres://app:${SECRETS.urlPassword}@db:5432/app"
      labels:
        token: "${SECRETS.githubToken}"
        aws: "${SECRETS.awsKey}"
        note: "${SECRETS.highEntropy}"
      ports:
        - "{{ app_port }}:8080"
    mailer:
      image: "example/mailer:1"
      environment:
        - "SMTP_PASSWORD=${SECRETS.envListValue}"
      command: |
        -----BEGIN PRIVATE KEY-----
        ${SECRETS.pemBody}
        -----END PRIVATE KEY-----
`;

export const VALID_COMPOSE_STACK = `metadata:
  name: "Whoami"
  version: "1.0.0"
  category: "Testing"
  author: "WindFlow"
  license: "MIT"
  description: "A small web service"
  target_type: "docker_compose"

variables:
  web_port:
    type: integer
    label: "Web port"
    default: 8080

template:
  version: "3.8"
  services:
    web:
      image: "traefik/whoami:v1.10"
      ports:
        - "{{ web_port }}:80"
`;
