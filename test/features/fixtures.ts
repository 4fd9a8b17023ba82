/** Small stack files shared by the feature tests. */

export const DOCKER_STACK = `metadata:
  name: demo
  version: "1.0.0"
  category: Database
  author: me
  license: MIT
  description: A demo
  target_type: docker
  deployment_name: "{{ container_name }}"
template:
  image: "postgres:{{ version }}"
  container_name: "{{ deployment_name }}"
  environment:
    POSTGRES_PASSWORD: "{{ db_password }}"
    SHARED: "{{ performance.shared_buffers }}"
  ports:
    - "{{ host_port }}:5432"
variables:
  version:
    type: string
    label: Version
    default: "16"
    enum: ["16", "15"]
    help: Major version
  container_name:
    type: string
    label: Container
    default: "{{ generate_animalname('pg') }}"
  db_password:
    type: password
    label: Password
    default: "{{ generate_password(24) }}"
  host_port:
    type: integer
    label: Host port
    default: 5432
    depends_on:
      version: "16"
  performance:
    type: group
    label: Performance
    variables:
      shared_buffers:
        type: string
        label: Shared buffers
        default: 256MB
deployment_notes: |
  Connect on port {{ host_port }}.
  Buffers: {{ performance.shared_buffers }}
`;

export const COMPOSE_STACK = `metadata:
  name: app
  target_type: docker_compose
template:
  version: "3.9"
  services:
    db:
      image: postgres
      volumes:
        - db_data:/var/lib/postgresql/data
    cache:
      image: redis
    web:
      image: "nginx:{{ tag }}"
      depends_on:
        - db
      networks:
        - front
  volumes:
    db_data: {}
    static: {}
  networks:
    front: {}
variables:
  tag:
    type: string
    label: Tag
    default: latest
`;
