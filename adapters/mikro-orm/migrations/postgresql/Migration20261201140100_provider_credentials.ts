import { Migration } from '@mikro-orm/migrations';

/**
 * Named provider credential sets, encrypted: AES-256-GCM ciphertext, IV and tag (base64) and the
 * fingerprint of the key that sealed them, so `keys rotate` finds the rows still under an old key.
 * owner_id is the customer a set belongs to (null: the operator's own).
 */
export class Migration20261201140100_provider_credentials extends Migration {
  override up(): void {
    this.addSql(`create table provider_credentials (
      id varchar(64) collate "C" not null,
      name varchar(64) not null,
      provider varchar(64) not null,
      port varchar(16) not null,
      owner_id varchar(64) collate "C" null,
      key_id varchar(32) not null,
      iv text not null,
      ciphertext text not null,
      tag text not null,
      verified_detail text not null,
      verified_at timestamptz(3) not null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      constraint provider_credentials_pkey primary key (id),
      constraint provider_credentials_name_unique unique (name)
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists provider_credentials');
  }
}
