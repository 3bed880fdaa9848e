import { handler as health } from '../../functions/system/health';
import { invoke } from '../helpers/invoke';

describe('GET /api/health', () => {
  it('answers ok with the database type', async () => {
    const response = await invoke(health, { path: '/api/health' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: '服务运行正常',
      data: { status: 'ok', database: 'ok', db_type: process.env.DB_TYPE },
    });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });

  it('answers in English when the client prefers it', async () => {
    const response = await invoke(health, {
      headers: { 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' },
    });
    expect(response.body.message).toBe('Service is healthy');
  });
});
